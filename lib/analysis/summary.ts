/**
 * results_summary.csv: one row per (supervisor, coder, step, repeat) trial, appended atomically
 * (the whole file is rewritten to a temporary and renamed, under a lock file so parallel
 * campaigns, e.g. Snakemake jobs, do not lose each other's rows), and the statistics over it:
 * success rate with a Wilson 95% interval, mean iterations, duration and tokens per model pair and step.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tableCSV } from "../report/table";
import { writeFileAtomic } from "../util/atomic";
import type { StepResult } from "./loop";

export const CSV_COLUMNS = [
  "supervisor", "coder", "step", "success", "iterations", "duration", "API_calls", "tokens", "errors", "error_descriptions",
  "run", "repeat", "run_dir",
] as const;
export type SummaryRow = Record<(typeof CSV_COLUMNS)[number], string>;

/** A StepResult as a CSV row (duration in seconds; errors ';'-separated categories). */
export function toRow(r: StepResult, run: string, repeat: number): SummaryRow {
  return {
    supervisor: r.supervisor,
    coder: r.coder,
    step: String(r.step),
    success: r.success ? "true" : "false",
    iterations: String(r.iterations),
    duration: (r.durationMs / 1000).toFixed(3),
    API_calls: String(r.apiCalls),
    tokens: String(r.tokens),
    errors: r.errors.map((e) => e.category).join(";"),
    error_descriptions: r.errors.map((e) => e.description.replace(/;/g, ",")).join(";"),
    run,
    repeat: String(repeat),
    run_dir: r.runDir,
  };
}

/** The rows as RFC 4180 CSV with the header line (the report library's writer). */
export function formatCsv(rows: SummaryRow[]): string {
  return tableCSV({ columns: [...CSV_COLUMNS], rows });
}

/** Parses RFC 4180 CSV (quoted fields with "" and newlines) into rows keyed by the header. */
export function parseCsv(text: string): SummaryRow[] {
  const records: string[][] = [];
  let field = "", rec: string[] = [], q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') q = false;
      else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") rec.push(field), (field = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      rec.push(field), records.push(rec), (rec = []), (field = "");
    } else field += ch;
  }
  if (field !== "" || rec.length > 0) rec.push(field), records.push(rec);
  const [header, ...body] = records.filter((r) => r.length > 1 || r[0] !== "");
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])) as SummaryRow);
}

export function readSummary(file: string): SummaryRow[] {
  return fs.existsSync(file) ? parseCsv(fs.readFileSync(file, "utf8")) : [];
}

/** Appends rows to `file` atomically under `<file>.lock`. */
export async function appendSummary(file: string, rows: SummaryRow[]): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const lock = `${file}.lock`;
  for (let waited = 0; ; waited += 50) {
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A lock older than a minute was left by a killed process. It may also have been released
      // between the open and this stat (no stat then): just try again.
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (waited > 60_000 || (held !== undefined && Date.now() - held.mtimeMs > 60_000)) fs.rmSync(lock, { force: true });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    writeFileAtomic(file, formatCsv([...readSummary(file), ...rows]));
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export interface PairStats {
  supervisor: string;
  coder: string;
  step: string;
  trials: number;
  successes: number;
  rate: number;
  /** Wilson score 95% interval of the success rate. */
  low: number;
  high: number;
  meanIterations: number;
  meanDuration: number;
  meanTokens: number;
  /** Error category -> occurrences over all iterations. */
  errors: Record<string, number>;
}

export function wilson(k: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function aggregate(rows: SummaryRow[]): PairStats[] {
  const groups = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const k = `${r.supervisor}\u0000${r.coder}\u0000${r.step}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const mean = (rs: SummaryRow[], c: keyof SummaryRow) => rs.reduce((a, r) => a + Number(r[c]), 0) / rs.length;
  return [...groups.values()].map((rs) => {
    const successes = rs.filter((r) => r.success === "true").length;
    const [low, high] = wilson(successes, rs.length);
    const errors: Record<string, number> = {};
    for (const r of rs) for (const e of r.errors.split(";").filter(Boolean)) errors[e] = (errors[e] ?? 0) + 1;
    return {
      supervisor: rs[0].supervisor, coder: rs[0].coder, step: rs[0].step,
      trials: rs.length, successes, rate: successes / rs.length, low, high,
      meanIterations: mean(rs, "iterations"), meanDuration: mean(rs, "duration"), meanTokens: mean(rs, "tokens"), errors,
    };
  });
}

/** The statistics as an aligned text table. */
export function formatStats(stats: PairStats[]): string {
  const head = ["supervisor", "coder", "step", "success", "95% CI", "iter", "time [s]", "tokens", "errors"];
  const lines = stats.map((s) => [
    s.supervisor, s.coder, s.step, `${s.successes}/${s.trials}`, `${s.low.toFixed(2)}-${s.high.toFixed(2)}`,
    s.meanIterations.toFixed(1), s.meanDuration.toFixed(1), s.meanTokens.toFixed(0),
    Object.entries(s.errors).map(([k, v]) => `${k}×${v}`).join(" "),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [head, ...lines].map((l) => l.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd()).join("\n");
}
