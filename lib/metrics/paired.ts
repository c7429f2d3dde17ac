/**
 * Paired comparison of two classifiers scored on the SAME events: each bootstrap resample draws one
 * set of event indices and evaluates both classifiers on it, so the interval of the difference
 * A − B carries the correlation between them (much narrower than two independent intervals when
 * both classifiers find the same events easy). The support rule of ./support.ts applies to both.
 */
import { bootstrapValues, checkLevel, DEFAULT_LEVEL, gather, percentileInterval } from "./bootstrap";
import { checkLabelsScores } from "./check";
import { EvaluateOptions, evaluate, HEADLINE_METRICS, headlineMetrics, intervalSupport, metricValue } from "./evaluate";

export interface PairedDifference {
  /** Metric of classifier A on all events. */
  a: number;
  /** Metric of classifier B on all events. */
  b: number;
  /** a − b (NaN when either is unsupported). */
  diff: number;
  /** Percentile interval of a − b over the resamples, at `level`; [NaN, NaN] when unsupported. */
  interval: [number, number];
  /** Confidence level of the interval. */
  level: number;
  /** Why diff or its interval is NaN. */
  unsupported?: string;
}

export interface PairedOptions extends Omit<EvaluateOptions, "bootstrap" | "seed" | "level"> {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Seed of the index draws (default 1). */
  seed?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** "within CI" when the interval of the difference contains 0, else "beyond CI". */
export function differenceVerdict(interval: [number, number]): "within CI" | "beyond CI" | "n/a" {
  const [lo, hi] = interval;
  if (Number.isNaN(lo) || Number.isNaN(hi)) return "n/a";
  return lo <= 0 && 0 <= hi ? "within CI" : "beyond CI";
}

/**
 * Per metric name (any of HEADLINE_METRICS, e.g. "auc", "balancedAccuracy", "rejection30", "maxSic"):
 * A's and B's values on all events, their difference and the bootstrap interval of the difference.
 */
export function pairedBootstrap(
  labels: ArrayLike<number>,
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  metricNames: readonly string[],
  opts: PairedOptions = {},
): Record<string, PairedDifference> {
  checkLabelsScores(labels, scoresA, "pairedBootstrap (classifier A)");
  checkLabelsScores(labels, scoresB, "pairedBootstrap (classifier B)");
  for (const m of metricNames) {
    if (!(HEADLINE_METRICS as readonly string[]).includes(m)) throw new Error(`pairedBootstrap: metric ${JSON.stringify(m)} is not one of ${HEADLINE_METRICS.join(", ")}`);
  }
  const level = opts.level ?? DEFAULT_LEVEL;
  checkLevel(level);
  const { resamples: _r, seed: _s, level: _l, ...evalOpts } = opts;
  const fullA = evaluate(labels, scoresA, evalOpts);
  const fullB = evaluate(labels, scoresB, evalOpts);
  const l = new Float64Array(labels.length);
  const sa = new Float64Array(labels.length);
  const sb = new Float64Array(labels.length);
  const samples = bootstrapValues(
    labels.length,
    (idx) => {
      gather(labels, idx, l);
      const ma = headlineMetrics(l, gather(scoresA, idx, sa), evalOpts);
      const mb = headlineMetrics(l, gather(scoresB, idx, sb), evalOpts);
      return Object.fromEntries(metricNames.map((k) => [k, (ma as Record<string, number>)[k] - (mb as Record<string, number>)[k]]));
    },
    { resamples: opts.resamples ?? 1000, seed: opts.seed ?? 1 },
  );
  const out: Record<string, PairedDifference> = {};
  for (const k of metricNames) {
    const a = metricValue(fullA, k);
    const b = metricValue(fullB, k);
    const why = [fullA.unsupported?.[k] && `A: ${fullA.unsupported[k]}`, fullB.unsupported?.[k] && `B: ${fullB.unsupported[k]}`].filter(Boolean).join("; ");
    if (why) {
      out[k] = { a, b, diff: NaN, interval: [NaN, NaN], level, unsupported: why };
      continue;
    }
    const vs = samples.get(k) ?? [];
    const weak = intervalSupport(vs, level);
    out[k] = weak ? { a, b, diff: a - b, interval: [NaN, NaN], level, unsupported: `interval: ${weak}` } : { a, b, diff: a - b, interval: percentileInterval(vs, level), level };
  }
  return out;
}

/**
 * Aligns two scored versions of one event set by event id (e.g. two arms' scores files), so that
 * pairedBootstrap compares the same events. Throws when the id sets or labels differ.
 */
export function pairByIds(
  a: { ids: ArrayLike<number>; labels: ArrayLike<number>; scores: ArrayLike<number> },
  b: { ids: ArrayLike<number>; labels: ArrayLike<number>; scores: ArrayLike<number> },
): { ids: number[]; labels: number[]; scoresA: number[]; scoresB: number[] } {
  if (a.ids.length !== b.ids.length) throw new Error(`pairByIds: ${a.ids.length} events in A but ${b.ids.length} in B`);
  const inB = new Map<number, number>();
  for (let j = 0; j < b.ids.length; j++) {
    if (inB.has(b.ids[j])) throw new Error(`pairByIds: id ${b.ids[j]} appears twice in B`);
    inB.set(b.ids[j], j);
  }
  const out = { ids: [] as number[], labels: [] as number[], scoresA: [] as number[], scoresB: [] as number[] };
  const seen = new Set<number>();
  for (let i = 0; i < a.ids.length; i++) {
    const id = a.ids[i];
    const j = inB.get(id);
    if (j === undefined) throw new Error(`pairByIds: id ${id} is in A but not in B (the two were not scored on the same events)`);
    if (seen.has(id)) throw new Error(`pairByIds: id ${id} appears twice in A`);
    seen.add(id);
    if (a.labels[i] !== b.labels[j]) throw new Error(`pairByIds: id ${id} has label ${a.labels[i]} in A but ${b.labels[j]} in B`);
    out.ids.push(id);
    out.labels.push(a.labels[i]);
    out.scoresA.push(a.scores[i]);
    out.scoresB.push(b.scores[j]);
  }
  return out;
}
