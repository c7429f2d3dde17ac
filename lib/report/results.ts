/**
 * The study's results table, built from run logs only: one row per evaluated checkpoint (and
 * dataset), with the study's columns plus balanced accuracy, recalls, AUC, background rejection and
 * max SIC. Every metric cell carries its bootstrap interval ("0.912 [0.898, 0.925]"); the level is
 * in the caption, and an n/a cell points to a note with the reason. A checkpoint evaluated twice on
 * the same data keeps its latest evaluation.
 */
import * as path from "node:path";
import type { HeadlineMetric } from "../metrics/evaluate";
import { EvalLogEntry, readRunLog } from "../metrics/log";
import { Footnotes, intervalCaption, intervalLevelOf, METRIC_LABELS, metricCell } from "./cells";
import { exportTable, Row, Table } from "./table";

/**
 * The metric columns of the results table, in order: the study's original columns first (readers
 * of older tables and CSVs find them where they were), then the columns added for issue 11.
 */
export const RESULTS_METRICS: HeadlineMetric[] = [
  "accuracy",
  "background.precision",
  "signal.precision",
  "signal.f1",
  "background.f1",
  "auc",
  "maxSic",
  "balancedAccuracy",
  "background.recall",
  "signal.recall",
  "rejection30",
  "rejection50",
];

/** Column order of the results table. */
export const RESULTS_COLUMNS = ["Date", "Dataset", "Checkpoint", "Numeric Input", ...RESULTS_METRICS.map((m) => METRIC_LABELS[m]), "Run"];

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

/** The results table of evaluation entries (rows; pass to toDataFrame for a danfojs DataFrame). */
export function resultsTableOf(entries: EvalLogEntry[], opts: { digits?: number } = {}): Table {
  const notes = new Footnotes();
  const mixed = new Set(entries.map((e) => intervalLevelOf(e.metrics)).filter((l) => l !== undefined)).size > 1;
  const rows = entries.map((e): Row => {
    const row: Row = { Date: e.time.slice(0, 10), Dataset: e.dataset, Checkpoint: e.checkpoint, "Numeric Input": e.numericInput };
    for (const m of RESULTS_METRICS) row[METRIC_LABELS[m]] = metricCell(e.metrics, m, notes, { digits: opts.digits, levelSuffix: mixed });
    row.Run = e.run;
    return row;
  });
  return { columns: [...RESULTS_COLUMNS], rows, caption: intervalCaption(entries.map((e) => e.metrics)), notes: notes.list() };
}

/** The results table of the runs' logs. */
export function resultsTable(runDirs: string[], opts: { digits?: number } = {}): Table {
  return resultsTableOf(evaluations(runDirs), opts);
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
