/**
 * A metrics report as plain text lines (for `hepllm eval` and notebooks): every metric with its
 * interval, the interval level, and the reason for each n/a as a numbered note.
 */
import type { MetricsReport } from "../metrics/evaluate";
import { Footnotes, intervalLevelOf, metricCell, percent } from "./cells";

export function metricsSummary(m: MetricsReport, opts: { digits?: number } = {}): string[] {
  const notes = new Footnotes();
  const c = (name: Parameters<typeof metricCell>[1]): string => metricCell(m, name, notes, { digits: opts.digits });
  const lines = [
    `  accuracy ${c("accuracy")}  balanced accuracy ${c("balancedAccuracy")}  AUC ${c("auc")}`,
    `  1/εB at εS = 0.3: ${c("rejection30")}  at εS = 0.5: ${c("rejection50")}  max SIC ${c("maxSic")}`,
    `  signal     precision ${c("signal.precision")}  recall ${c("signal.recall")}  F1 ${c("signal.f1")}`,
    `  background precision ${c("background.precision")}  recall ${c("background.recall")}  F1 ${c("background.f1")}`,
  ];
  const level = intervalLevelOf(m);
  const how = m.bootstrap ? ` (${m.bootstrap.resamples} resamples, seed ${m.bootstrap.seed})` : "";
  lines.push(level === undefined ? "  no intervals (evaluated without bootstrap)" : `  [low, high]: ${percent(level)} bootstrap percentile intervals${how}; score cut ${m.threshold}`);
  if (m.minBackground) lines.push(`  1/εB needs ≥ ${m.minBackground.rejection} and max SIC ≥ ${m.minBackground.sic} background events passing the cut`);
  for (const n of notes.list()) lines.push(`  ${n}`);
  return lines;
}
