/**
 * Paired comparison of two arms on the SAME test events, over all their seeds: the difference of
 * the arms' seed-mean metric, mean_k M(A_k) − mean_k M(B_k), and its bootstrap percentile interval.
 * Each resample draws one set of event indices and evaluates every seed of every arm on it, so the
 * interval carries the correlation between the arms (both find the same events easy) and the test
 * sample's own fluctuation; the spread over seeds is reported beside it (`perSeed`).
 */
import { bootstrapValues, differenceVerdict, gather, headlineMetrics, intervalSupport, percentileInterval } from "../metrics";

export interface ArmDifference {
  /** Seed-mean metric of A and of B on all test events. */
  a: number;
  b: number;
  /** a − b (NaN when either is unsupported). */
  diff: number;
  /** Bootstrap percentile interval of a − b at `level`; [NaN, NaN] when unsupported. */
  interval: [number, number];
  level: number;
  /** "within CI" when the interval contains 0, else "beyond CI" ("n/a" without an interval). */
  verdict: "within CI" | "beyond CI" | "n/a";
  /** Per-seed differences M(A_k) − M(B_k) (seeds paired in recipe order). */
  perSeed: number[];
  unsupported?: string;
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * For each pair [A, B] (arm names of `scores`) and metric (names of HEADLINE_METRICS): the paired
 * difference of seed means. `scores[arm][k]`: seed k's P(signal) for every event, in `labels` order.
 */
export function pairedArmDifferences(
  labels: ArrayLike<number>,
  scores: Record<string, number[][]>,
  pairs: Array<[string, string]>,
  metrics: readonly string[],
  opts: { resamples: number; seed?: number; level: number },
): Record<string, Record<string, ArmDifference>> {
  const arms = [...new Set(pairs.flat())];
  for (const arm of arms) {
    const s = scores[arm];
    if (!s || s.length === 0) throw new Error(`paired comparison: no scores for arm ${arm}`);
    for (const [k, xs] of s.entries()) if (xs.length !== labels.length) throw new Error(`paired comparison: ${arm} seed ${k} has ${xs.length} scores for ${labels.length} events`);
  }
  const armMeans = (l: ArrayLike<number>, pick: (xs: number[]) => ArrayLike<number>): Record<string, Record<string, number[]>> => {
    const out: Record<string, Record<string, number[]>> = {};
    for (const arm of arms) {
      const perSeed = scores[arm].map((xs) => headlineMetrics(l, pick(xs)) as Record<string, number>);
      out[arm] = Object.fromEntries(metrics.map((m) => [m, perSeed.map((r) => r[m])]));
    }
    return out;
  };
  const full = armMeans(labels, (xs) => xs);
  const l = new Float64Array(labels.length);
  const buf = new Float64Array(labels.length);
  const samples = bootstrapValues(
    labels.length,
    (idx) => {
      gather(labels, idx, l);
      const m = armMeans(l, (xs) => gather(xs, idx, buf));
      const out: Record<string, number> = {};
      for (const [a, b] of pairs) for (const k of metrics) out[`${a}|${b}|${k}`] = mean(m[a][k]) - mean(m[b][k]);
      return out;
    },
    { resamples: opts.resamples, seed: opts.seed ?? 1 },
  );
  const result: Record<string, Record<string, ArmDifference>> = {};
  for (const [a, b] of pairs) {
    const byMetric: Record<string, ArmDifference> = {};
    for (const k of metrics) {
      const va = mean(full[a][k]);
      const vb = mean(full[b][k]);
      const perSeed = full[a][k].map((x, i) => x - (full[b][k][i] ?? NaN));
      if (Number.isNaN(va) || Number.isNaN(vb)) {
        byMetric[k] = { a: va, b: vb, diff: NaN, interval: [NaN, NaN], level: opts.level, verdict: "n/a", perSeed, unsupported: "unsupported on the test set for at least one seed" };
        continue;
      }
      const vs = samples.get(`${a}|${b}|${k}`) ?? [];
      const weak = intervalSupport(vs, opts.level);
      const interval: [number, number] = weak ? [NaN, NaN] : percentileInterval(vs, opts.level);
      byMetric[k] = { a: va, b: vb, diff: va - vb, interval, level: opts.level, verdict: differenceVerdict(interval), perSeed, ...(weak ? { unsupported: `interval: ${weak}` } : {}) };
    }
    result[`${a} − ${b}`] = byMetric;
  }
  return result;
}
