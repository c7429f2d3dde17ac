/**
 * Checks a program's outputs against the reference solution's: `.npy` arrays element by element
 * and `.json` files value by value. Floats agree when they match to `significantDigits` significant
 * digits of the reference (|got - ref| <= half a unit in that digit, or <= `atol`); integer
 * references must match exactly; NaN is right only where the reference has NaN. The report names
 * each differing file, column (last axis) and the first differing rows, for the supervisor to read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { NdArray, isIntegerType, readNpy, toFloat64 } from "./npy";

export interface Tolerance {
  /** Significant digits that must agree (default 4: the issue's "four significant digits"). */
  significantDigits: number;
  /** Absolute floor for values that should be zero (1e-9: rounding noise of an exact 0). */
  atol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { significantDigits: 4, atol: 1e-9 };

export interface ColumnMismatch {
  /** Index along the last axis (0 for a 1-D array). */
  column: number;
  /** Number of rows (indices along the first axis) with at least one differing value. */
  nRows: number;
  /** First differing rows with reference and produced values. */
  examples: { row: number; ref: number; got: number }[];
}

export interface FileCheck {
  file: string;
  ok: boolean;
  problem?: "missing" | "unreadable" | "shape" | "mismatch";
  /** One-line explanation when not ok. */
  message?: string;
  refShape?: number[];
  gotShape?: number[];
  columns?: ColumnMismatch[];
}

export interface ValidationReport {
  ok: boolean;
  files: FileCheck[];
}

/** Whether `got` equals `ref` under the tolerance (NaN only against NaN; integers exact). */
export function closeEnough(ref: number, got: number, tol: Tolerance, integer = false): boolean {
  if (Number.isNaN(ref) || Number.isNaN(got)) return Number.isNaN(ref) && Number.isNaN(got);
  if (!Number.isFinite(ref) || !Number.isFinite(got)) return ref === got;
  if (integer) return ref === got;
  const diff = Math.abs(got - ref);
  if (diff <= tol.atol) return true;
  if (ref === 0) return false;
  const halfUnit = 0.5 * Math.pow(10, Math.floor(Math.log10(Math.abs(ref))) - tol.significantDigits + 1);
  return diff <= halfUnit * (1 + 1e-12);
}

const MAX_EXAMPLES = 5;

/** Compares two arrays; `file` names them in the report. */
export function compareArrays(file: string, ref: NdArray, got: NdArray, tol: Tolerance = DEFAULT_TOLERANCE): FileCheck {
  const base = { file, refShape: ref.shape, gotShape: got.shape };
  if (ref.shape.length !== got.shape.length || ref.shape.some((d, i) => d !== got.shape[i])) {
    return { ...base, ok: false, problem: "shape", message: `${file}: shape ${fmtShape(got.shape)}, expected ${fmtShape(ref.shape)}` };
  }
  const r = toFloat64(ref);
  const g = toFloat64(got);
  const integer = isIntegerType(ref.dtype);
  const nRows = ref.shape.length === 0 ? 1 : ref.shape[0];
  const nCols = ref.shape.length <= 1 ? 1 : ref.shape[ref.shape.length - 1];
  const perRow = nRows === 0 ? 0 : r.length / nRows;
  const cols = new Map<number, ColumnMismatch>();
  for (let row = 0; row < nRows; row++) {
    const seen = new Set<number>();
    for (let k = 0; k < perRow; k++) {
      const i = row * perRow + k;
      if (closeEnough(r[i], g[i], tol, integer)) continue;
      const column = k % nCols;
      let c = cols.get(column);
      if (!c) cols.set(column, (c = { column, nRows: 0, examples: [] }));
      if (!seen.has(column)) {
        seen.add(column);
        c.nRows++;
        if (c.examples.length < MAX_EXAMPLES) c.examples.push({ row, ref: r[i], got: g[i] });
      }
    }
  }
  if (cols.size === 0) return { ...base, ok: true };
  const columns = [...cols.values()].sort((a, b) => a.column - b.column);
  const worst = columns.map((c) => `column ${c.column}: ${c.nRows}/${nRows} rows`).join(", ");
  return { ...base, ok: false, problem: "mismatch", message: `${file}: values differ (${worst})`, columns };
}

/** Compares two parsed JSON values; returns the differing paths (at most 20). */
export function compareJson(ref: unknown, got: unknown, tol: Tolerance = DEFAULT_TOLERANCE, at = "$", out: string[] = []): string[] {
  if (out.length >= 20) return out;
  if (typeof ref === "number" && typeof got === "number") {
    if (!closeEnough(ref, got, tol, Number.isInteger(ref))) out.push(`${at}: expected ${ref}, got ${got}`);
  } else if (Array.isArray(ref)) {
    if (!Array.isArray(got)) out.push(`${at}: expected an array of ${ref.length}, got ${describe(got)}`);
    else if (got.length !== ref.length) out.push(`${at}: expected ${ref.length} elements, got ${got.length}`);
    else ref.forEach((v, i) => compareJson(v, got[i], tol, `${at}[${i}]`, out));
  } else if (ref !== null && typeof ref === "object") {
    if (got === null || typeof got !== "object" || Array.isArray(got)) out.push(`${at}: expected an object, got ${describe(got)}`);
    else {
      for (const k of Object.keys(ref)) {
        if (!(k in (got as object))) out.push(`${at}.${k}: missing`);
        else compareJson((ref as Record<string, unknown>)[k], (got as Record<string, unknown>)[k], tol, `${at}.${k}`, out);
      }
    }
  } else if (ref !== got) out.push(`${at}: expected ${JSON.stringify(ref)}, got ${describe(got)}`);
  return out;
}

/** Checks every expected output file of `refDir` in `outDir`. */
export function validateOutputs(refDir: string, outDir: string, files: string[], tol: Tolerance = DEFAULT_TOLERANCE): ValidationReport {
  const checks = files.map((file): FileCheck => {
    const gotPath = path.join(outDir, file);
    if (!fs.existsSync(gotPath)) return { file, ok: false, problem: "missing", message: `${file}: not written` };
    const refPath = path.join(refDir, file);
    if (file.endsWith(".json")) {
      let got: unknown;
      try {
        got = JSON.parse(fs.readFileSync(gotPath, "utf8"));
      } catch (err) {
        return { file, ok: false, problem: "unreadable", message: `${file}: not valid JSON (${(err as Error).message})` };
      }
      const diffs = compareJson(JSON.parse(fs.readFileSync(refPath, "utf8")), got, tol);
      return diffs.length === 0 ? { file, ok: true } : { file, ok: false, problem: "mismatch", message: `${file}: ${diffs.join("; ")}` };
    }
    let got: NdArray;
    try {
      got = readNpy(gotPath);
    } catch (err) {
      return { file, ok: false, problem: "unreadable", message: (err as Error).message.replace(outDir + path.sep, "") };
    }
    return compareArrays(file, readNpy(refPath), got, tol);
  });
  return { ok: checks.every((c) => c.ok), files: checks };
}

/** The report as text for the supervisor (and the logs). */
export function formatReport(report: ValidationReport, columnNames: Record<string, string[]> = {}): string {
  if (report.ok) return "All outputs match the reference.";
  const lines: string[] = [];
  for (const f of report.files) {
    if (f.ok) {
      lines.push(`${f.file}: OK`);
      continue;
    }
    lines.push(f.message ?? `${f.file}: wrong`);
    for (const c of f.columns ?? []) {
      const name = columnNames[f.file]?.[c.column];
      const ex = c.examples.map((e) => `row ${e.row}: expected ${e.ref}, got ${e.got}`).join("; ");
      lines.push(`  column ${c.column}${name ? ` (${name})` : ""}: ${c.nRows} rows differ, e.g. ${ex}`);
    }
  }
  return lines.join("\n");
}

function fmtShape(s: number[]): string {
  return `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + "…" : s;
}
