/**
 * Seeded bootstrap intervals: resample the events with replacement, recompute the statistics,
 * and take the central 68% (16th to 84th percentile, numpy's linear interpolation) of each.
 */
import { Rng } from "../util/rng";

/** Percentile q in [0, 100] of sorted values, numpy's default ("linear") interpolation. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  // An exact rank or equal neighbours return the value itself: 0 * (Infinity - x) would be NaN.
  if (pos === lo || sorted[hi] === sorted[lo]) return sorted[lo];
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * 68% bootstrap intervals of several statistics of (labels, scores). `stats` maps each resample to
 * named values; NaN values (e.g. a resample without background) are left out of that statistic.
 * +Infinity counts as the largest value (a rejection with no background passing).
 */
export function bootstrapIntervals(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  stats: (labels: Float64Array, scores: Float64Array) => Record<string, number>,
  opts: { resamples: number; seed?: number; level?: number },
): Record<string, [number, number]> {
  const n = labels.length;
  const rng = new Rng(opts.seed ?? 1);
  const level = opts.level ?? 0.68;
  const samples = new Map<string, number[]>();
  const l = new Float64Array(n);
  const s = new Float64Array(n);
  for (let r = 0; r < opts.resamples; r++) {
    for (let k = 0; k < n; k++) {
      const i = rng.int(n);
      l[k] = labels[i];
      s[k] = scores[i];
    }
    for (const [name, v] of Object.entries(stats(l, s))) {
      if (!samples.has(name)) samples.set(name, []);
      if (!Number.isNaN(v)) samples.get(name)!.push(v);
    }
  }
  const out: Record<string, [number, number]> = {};
  const tail = ((1 - level) / 2) * 100;
  for (const [name, vs] of samples) {
    vs.sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
    out[name] = [percentile(vs, tail), percentile(vs, 100 - tail)];
  }
  return out;
}
