/**
 * The study's results table, built from run logs only: one row per evaluated checkpoint (and
 * dataset), with the study's columns plus AUC and the maximum SIC. A checkpoint evaluated twice on
 * the same data keeps its latest evaluation.
 */
import * as path from "node:path";
import { EvalLogEntry, readRunLog } from "../metrics/log";
import { exportTable, Row, Table } from "./table";

/** Column order of the results table. */
export const RESULTS_COLUMNS = [
  "Date",
  "Dataset",
  "Checkpoint",
  "Numeric Input",
  "Accuracy",
  "Background Precision",
  "Signal Precision",
  "F1 Score Signal",
  "F1 Score Background",
  "AUC",
  "Max SIC",
  "Run",
] as const;

/** Every evaluation in the run logs, latest per (run, checkpoint, data), sorted by time. */
export function evaluations(runDirs: string[]): EvalLogEntry[] {
  const latest = new Map<string, EvalLogEntry>();
  for (const dir of runDirs) {
    for (const e of readRunLog(dir)) {
      if (e.kind !== "eval") continue;
      const key = JSON.stringify([e.run, e.checkpoint, e.data, e.dataset, e.numericInput]);
      const prev = latest.get(key);
      if (!prev || prev.time <= e.time) latest.set(key, e);
    }
  }
  return [...latest.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.step - b.step));
}

function row(e: EvalLogEntry): Row {
  const m = e.metrics;
  return {
    Date: e.time.slice(0, 10),
    Dataset: e.dataset,
    Checkpoint: e.checkpoint,
    "Numeric Input": e.numericInput,
    Accuracy: m.accuracy,
    "Background Precision": m.background.precision,
    "Signal Precision": m.signal.precision,
    "F1 Score Signal": m.signal.f1,
    "F1 Score Background": m.background.f1,
    AUC: m.auc,
    "Max SIC": m.maxSic,
    Run: e.run,
  };
}

/** The results table of the runs (rows; pass to toDataFrame for a danfojs DataFrame). */
export function resultsTable(runDirs: string[]): Table {
  return { columns: [...RESULTS_COLUMNS], rows: evaluations(runDirs).map(row) };
}

/**
 * Writes `<outPrefix>.md`, `.csv` (and `.html`) from the run logs, e.g. outPrefix
 * "reports/results" → reports/results.md; returns the Markdown and CSV paths.
 */
export function writeResultsTable(runDirs: string[], outPrefix: string): { md: string; csv: string; html: string; rows: number } {
  const t = resultsTable(runDirs);
  const out = exportTable(t, path.dirname(outPrefix), path.basename(outPrefix), { title: "Results: evaluated checkpoints", digits: 4 });
  return { ...out, rows: t.rows.length };
}
