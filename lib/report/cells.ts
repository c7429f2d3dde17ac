/**
 * Table cells for metrics with uncertainties: "0.912 [0.898, 0.925]" (value and its bootstrap
 * interval), "n/a (1)" where the data cannot support a metric, with the reason collected as a
 * numbered note under the table, and the interval level stated once in the caption.
 */
import type { HeadlineMetric, MetricsReport } from "../metrics/evaluate";
import { metricValue } from "../metrics/evaluate";

/** Column title of each headline metric. */
export const METRIC_LABELS: Record<HeadlineMetric, string> = {
  accuracy: "Accuracy",
  balancedAccuracy: "Balanced Accuracy",
  "signal.precision": "Signal Precision",
  "signal.recall": "Signal Recall",
  "signal.f1": "F1 Score Signal",
  "background.precision": "Background Precision",
  "background.recall": "Background Recall",
  "background.f1": "F1 Score Background",
  auc: "AUC",
  rejection30: "1/εB @ εS=0.3",
  rejection50: "1/εB @ εS=0.5",
  maxSic: "Max SIC",
};

/** Numbered notes under a table: the same text gets the same number. */
export class Footnotes {
  private readonly texts: string[] = [];

  /** The marker "(k)" of a note, adding it if new. */
  mark(text: string): string {
    let i = this.texts.indexOf(text);
    if (i < 0) i = this.texts.push(text) - 1;
    return `(${i + 1})`;
  }

  /** "(1) reason", … in order of first use. */
  list(): string[] {
    return this.texts.map((t, i) => `(${i + 1}) ${t}`);
  }
}

/**
 * A number with `digits` decimals; rejections and other large values with fewer (523.4, 1250),
 * so a cell stays readable. "∞" for +Infinity, "n/a" for NaN.
 */
export function formatNumber(x: number, digits = 3): string {
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "-∞";
  if (Number.isNaN(x)) return "n/a";
  const a = Math.abs(x);
  return x.toFixed(a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? Math.min(digits, 2) : digits);
}

/** "value [lo, hi]", or the value alone without an interval. */
export function formatInterval(value: number, interval?: [number, number] | null, digits = 3): string {
  const v = formatNumber(value, digits);
  if (!interval) return v;
  return `${v} [${formatNumber(interval[0], digits)}, ${formatNumber(interval[1], digits)}]`;
}

/** Level of a report's intervals: stored since issue 11; older logs' intervals were 68%. */
export function intervalLevelOf(m: MetricsReport): number | undefined {
  if (!m.intervals) return undefined;
  return m.intervalLevel ?? 0.68;
}

/** "95%" */
export const percent = (level: number): string => `${+(level * 100).toFixed(1)}%`;

/**
 * One metric of a report as a cell: "0.912 [0.898, 0.925]"; "n/a (k)" with the reason as note k;
 * "3.21 [n/a (k)]" when the value stands but too few resamples support an interval; a trailing
 * "(k)" when the value is a lower limit (note k says why). `levelSuffix` appends " (68%)" for
 * tables mixing levels.
 */
export function metricCell(m: MetricsReport, name: HeadlineMetric, notes: Footnotes, opts: { digits?: number; levelSuffix?: boolean } = {}): string {
  const digits = opts.digits ?? 3;
  let value: number;
  try {
    value = metricValue(m, name);
  } catch {
    value = NaN; // a field an old log lacks or holds as null
  }
  const reason = m.unsupported?.[name];
  if ((name === "rejection30" || name === "rejection50") && value === Infinity) {
    return `n/a ${notes.mark("no background event passes the cut (an older log, which reported 1/εB = +Infinity)")}`;
  }
  if (Number.isNaN(value)) return reason ? `n/a ${notes.mark(reason)}` : "n/a";
  const noInterval = m.intervalUnsupported?.[name];
  if (noInterval) return `${formatNumber(value, digits)} [n/a ${notes.mark(`no interval: ${noInterval}`)}]`;
  let cell = formatInterval(value, m.intervals?.[name], digits);
  const level = intervalLevelOf(m);
  if (opts.levelSuffix && level !== undefined && m.intervals?.[name]) cell += ` (${percent(level)})`;
  const limit = m.lowerLimits?.[name];
  return limit ? `${cell} ${notes.mark(limit)}` : cell;
}

/** The caption stating the interval level(s) of the reports in a table. */
export function intervalCaption(reports: MetricsReport[]): string {
  const levels = [...new Set(reports.map(intervalLevelOf).filter((l): l is number => l !== undefined))];
  const runs = [...new Set(reports.map((m) => m.bootstrap?.resamples).filter((r): r is number => r !== undefined))];
  const how = runs.length ? ` (${runs.join(" / ")} resamples)` : "";
  if (levels.length === 0) return "No intervals: these evaluations were run without bootstrap.";
  if (levels.length === 1) return `Cells: value [low, high], the ${percent(levels[0])} bootstrap percentile interval over the evaluated events${how}; n/a (k): see note k.`;
  return `Cells: value [low, high], bootstrap percentile intervals at the level given in each cell${how}; n/a (k): see note k.`;
}
