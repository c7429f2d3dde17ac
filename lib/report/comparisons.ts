/**
 * Tables for the study's comparisons: classifiers side by side with intervals (metricsTable), paired
 * differences on the same test events ("A − B", diff [lo, hi], within / beyond CI), and the spread
 * over training seeds (mean ± std). Each returns a Table with its caption and notes, for
 * exportTable / tableMarkdown.
 */
import type { HeadlineMetric, MetricsReport } from "../metrics/evaluate";
import { metricValue } from "../metrics/evaluate";
import { differenceVerdict, PairedDifference } from "../metrics/paired";
import { seedSpread } from "../stats/spread";
import { Footnotes, formatInterval, formatNumber, intervalCaption, intervalLevelOf, METRIC_LABELS, metricCell, percent } from "./cells";
import type { Row, Table } from "./table";

/** Default metrics of the comparison tables: the issue's headline numbers. */
export const COMPARISON_METRICS: HeadlineMetric[] = ["auc", "balancedAccuracy", "accuracy", "rejection30", "rejection50", "maxSic"];

const label = (m: string): string => (METRIC_LABELS as Record<string, string>)[m] ?? m;

/**
 * One row per classifier (and dataset): "Classifier", "Dataset", "Events", then a cell with interval
 * per metric (default COMPARISON_METRICS).
 */
export function metricsTable(
  rows: Array<{ name: string; dataset?: string; metrics: MetricsReport }>,
  opts: { metrics?: HeadlineMetric[]; digits?: number } = {},
): Table {
  const metrics = opts.metrics ?? COMPARISON_METRICS;
  const notes = new Footnotes();
  const mixed = new Set(rows.map((r) => intervalLevelOf(r.metrics)).filter((l) => l !== undefined)).size > 1;
  const out = rows.map((r): Row => {
    const row: Row = { Classifier: r.name, Dataset: r.dataset ?? "", Events: r.metrics.n };
    for (const m of metrics) row[label(m)] = metricCell(r.metrics, m, notes, { digits: opts.digits, levelSuffix: mixed });
    return row;
  });
  return { columns: ["Classifier", "Dataset", "Events", ...metrics.map(label)], rows: out, caption: intervalCaption(rows.map((r) => r.metrics)), notes: notes.list() };
}

/**
 * Paired differences: one row per comparison and metric, "A − B" (the two names), A's and B's
 * values, the difference with its paired-bootstrap interval, and "within CI" when that interval
 * contains 0 (no difference at that level), else "beyond CI"; "n/a (k)" with the reason.
 */
export function pairedDifferenceTable(
  comparisons: Array<{ a: string; b: string; dataset?: string; result: Record<string, PairedDifference> }>,
  opts: { metrics?: string[]; digits?: number } = {},
): Table {
  const notes = new Footnotes();
  const rows: Row[] = [];
  const levels = new Set<number>();
  for (const c of comparisons) {
    for (const m of opts.metrics ?? Object.keys(c.result)) {
      const d = c.result[m];
      if (!d) throw new Error(`pairedDifferenceTable: comparison ${c.a} − ${c.b} has no metric ${JSON.stringify(m)}`);
      levels.add(d.level);
      const verdict = differenceVerdict(d.interval);
      rows.push({
        Comparison: `${c.a} − ${c.b}`,
        Dataset: c.dataset ?? "",
        Metric: label(m),
        A: formatNumber(d.a, opts.digits),
        B: formatNumber(d.b, opts.digits),
        "A − B": verdict === "n/a" && Number.isNaN(d.diff) ? "n/a" : formatInterval(d.diff, verdict === "n/a" ? undefined : d.interval, opts.digits),
        Verdict: verdict === "n/a" ? `n/a ${notes.mark(d.unsupported ?? "no interval")}` : verdict,
      });
    }
  }
  const lv = [...levels].map(percent).join(" / ") || percent(0.95);
  return {
    columns: ["Comparison", "Dataset", "Metric", "A", "B", "A − B", "Verdict"],
    rows,
    caption: `A − B on the same test events, with its ${lv} paired-bootstrap percentile interval (both classifiers evaluated on each resample); "within CI": the interval contains 0, the difference is not significant at that level.`,
    notes: notes.list(),
  };
}

/**
 * Spread over training seeds: one row per arm (and dataset), "mean ± std" per metric over the
 * seeds' reports (sample std, n − 1). A metric unsupported in any seed is n/a with a note.
 */
export function seedsTable(
  rows: Array<{ arm: string; dataset?: string; reports: MetricsReport[] }>,
  opts: { metrics?: HeadlineMetric[]; digits?: number } = {},
): Table {
  const metrics = opts.metrics ?? COMPARISON_METRICS;
  const notes = new Footnotes();
  const out = rows.map((r): Row => {
    const row: Row = { Arm: r.arm, Dataset: r.dataset ?? "", Seeds: r.reports.length };
    for (const m of metrics) {
      const values = r.reports.map((rep) => metricValue(rep, m));
      const s = seedSpread(values);
      if (Number.isNaN(s.mean)) {
        const bad = values.filter((v) => Number.isNaN(v)).length;
        row[label(m)] = `n/a ${notes.mark(`${label(m)}: n/a in ${bad} of ${values.length} seeds (${r.arm}${r.dataset ? `, ${r.dataset}` : ""})`)}`;
      } else {
        row[label(m)] = Number.isNaN(s.std) ? `${formatNumber(s.mean, opts.digits)} (one seed)` : `${formatNumber(s.mean, opts.digits)} ± ${formatNumber(s.std, opts.digits)}`;
      }
    }
    return row;
  });
  return {
    columns: ["Arm", "Dataset", "Seeds", ...metrics.map(label)],
    rows: out,
    caption: "Cells: mean ± sample standard deviation (n − 1) over training seeds, each seed evaluated on the same test events.",
    notes: notes.list(),
  };
}
