/**
 * Tables: rows ↔ danfojs DataFrames, and export to CSV (RFC 4180 quoting), Markdown (pipe table)
 * and HTML, each recorded in the folder's manifest. danfojs is loaded only when a DataFrame is
 * asked for (it pulls in TensorFlow.js, ~1 s).
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { checkExportName, recordExports } from "./manifest";

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

/** The part of a danfojs DataFrame used here (columns and row-major values). */
export interface DataFrameLike {
  columns: string[];
  values: unknown[];
  [key: string]: unknown;
}

/** A table: its column order and rows, with an optional caption and numbered notes printed under it. */
export interface Table {
  columns: string[];
  rows: Row[];
  /** One line under the table (e.g. the confidence level of the intervals in the cells). */
  caption?: string;
  /** Notes referenced from cells, "(1) reason", … */
  notes?: string[];
}

/** A danfojs DataFrame of the rows (columns in the given order). */
export function toDataFrame(t: Table): DataFrameLike {
  const { DataFrame } = require("danfojs-node") as { DataFrame: new (data: unknown, opts?: unknown) => DataFrameLike };
  return new DataFrame(t.rows.map((r) => t.columns.map((c) => r[c] ?? null)), { columns: t.columns });
}

/** A Table from a danfojs DataFrame or passed through. */
export function asTable(t: Table | DataFrameLike): Table {
  if ("rows" in t && Array.isArray((t as Table).rows)) return t as Table;
  const df = t as DataFrameLike;
  const values = df.values as unknown[][];
  return { columns: [...df.columns], rows: values.map((v) => Object.fromEntries(df.columns.map((c, i) => [c, v[i] as Cell]))) };
}

/** A cell as text: numbers with up to `digits` decimals (trailing zeros kept), Infinity as "inf". */
export function formatCell(v: Cell, digits?: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (v === Infinity) return "inf";
    if (v === -Infinity) return "-inf";
    if (Number.isNaN(v)) return "nan";
    return digits === undefined || Number.isInteger(v) ? String(v) : v.toFixed(digits);
  }
  return String(v);
}

/** CSV text with a header line; fields with commas, quotes or newlines are quoted. */
export function tableCSV(t: Table): string {
  const q = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [t.columns.map(q).join(","), ...t.rows.map((r) => t.columns.map((c) => q(formatCell(r[c]))).join(","))];
  return lines.join("\n") + "\n";
}

/** A cell that reads as a number: a number, or text such as "0.912 [0.898, 0.925]" or "n/a (1)". */
const numberLike = (v: Cell): boolean => v == null || typeof v === "number" || (typeof v === "string" && /^(-?\d+(\.\d+)?($| \[| \(| ±)|n\/a|-?∞)/.test(v));

/** Caption and notes under a table, one per line (Markdown line breaks). */
function tableFooter(t: Table): string {
  const lines = [...(t.caption ? [t.caption] : []), ...(t.notes ?? [])];
  return lines.length ? `\n${lines.join("  \n")}\n` : "";
}

/** A Markdown pipe table, numbers right-aligned with `digits` decimals; caption and notes below it. */
export function tableMarkdown(t: Table, digits = 3): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const numeric = t.columns.map((c) => t.rows.length > 0 && t.rows.every((r) => numberLike(r[c])));
  const head = `| ${t.columns.map(esc).join(" | ")} |`;
  const rule = `|${numeric.map((n) => (n ? "---:" : "---")).join("|")}|`;
  const body = t.rows.map((r) => `| ${t.columns.map((c) => esc(formatCell(r[c], digits))).join(" | ")} |`);
  return [head, rule, ...body].join("\n") + "\n" + tableFooter(t);
}

/** A standalone HTML table. */
export function tableHTML(t: Table, opts: { title?: string; digits?: number } = {}): string {
  const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const head = t.columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = t.rows.map((r) => `<tr>${t.columns.map((c) => `<td>${esc(formatCell(r[c], opts.digits ?? 3))}</td>`).join("")}</tr>`).join("\n");
  const title = opts.title ? `<h2>${esc(opts.title)}</h2>\n` : "";
  const caption = t.caption ? `<caption>${esc(t.caption)}</caption>\n` : "";
  const notes = t.notes?.length ? `\n<p>${t.notes.map(esc).join("<br>\n")}</p>` : "";
  const style = "table{border-collapse:collapse;font-family:sans-serif}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}caption{caption-side:bottom;text-align:left;padding-top:4px}";
  return `<!doctype html>\n<html>\n<head><meta charset="utf-8"><title>${esc(opts.title ?? "table")}</title><style>${style}</style></head>\n<body>\n${title}<table>\n${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${notes}\n</body>\n</html>\n`;
}

export interface ExportedTable {
  csv: string;
  md: string;
  html: string;
}

/** Writes `<dir>/<name>.csv`, `.md` and `.html` and records them in the manifest. */
export function exportTable(table: Table | DataFrameLike, dir: string, name: string, opts: { title?: string; digits?: number } = {}): ExportedTable {
  checkExportName(name);
  const t = asTable(table);
  const title = opts.title ?? name;
  const out = { csv: path.join(dir, `${name}.csv`), md: path.join(dir, `${name}.md`), html: path.join(dir, `${name}.html`) };
  writeFileAtomic(out.csv, tableCSV(t));
  writeFileAtomic(out.md, tableMarkdown(t, opts.digits));
  writeFileAtomic(out.html, tableHTML(t, { title, digits: opts.digits }));
  recordExports(
    dir,
    (["csv", "md", "html"] as const).map((format) => ({ file: `${name}.${format}`, name, kind: "table" as const, format, title })),
  );
  return out;
}
