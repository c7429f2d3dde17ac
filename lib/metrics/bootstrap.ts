/**
 * Seeded bootstrap: resample the events with replacement (the same index draws for every statistic,
 * and for two classifiers scored on the same events), recompute the statistics, and take the central
 * `level` (default 0.95) of each statistic's values: the percentile interval, with numpy's linear
 * interpolation between order statistics.
 */
import { Rng } from "../util/rng";

/** Default confidence level of every interval in the reports. */
export const DEFAULT_LEVEL = 0.95;

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

/** The central `level` percentile interval of values (NaN values left out; +Infinity sorts last). */
export function percentileInterval(values: number[], level = DEFAULT_LEVEL): [number, number] {
  checkLevel(level);
  const vs = values.filter((v) => !Number.isNaN(v)).sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
  const tail = ((1 - level) / 2) * 100;
  return [percentile(vs, tail), percentile(vs, 100 - tail)];
}

export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: confidence level ${level} is not in (0, 1)`);
}

export interface BootstrapOptions {
  /** Number of resamples. */
  resamples: number;
  /** Seed of the index draws (default 1), so intervals are reproducible. */
  seed?: number;
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
}

/**
 * The index draws of `resamples` bootstrap resamples of n events: resample r is n indices drawn
 * uniformly with replacement, from one seeded generator in order (so the draws are reproducible and
 * can be handed to an independent implementation).
 */
export function resampleIndices(n: number, opts: { resamples: number; seed?: number }): Int32Array[] {
  const rng = new Rng(opts.seed ?? 1);
  const out: Int32Array[] = [];
  for (let r = 0; r < opts.resamples; r++) {
    const idx = new Int32Array(n);
    for (let k = 0; k < n; k++) idx[k] = rng.int(n);
    out.push(idx);
  }
  return out;
}

/** Gathers values[idx[k]] for each k. */
export function gather(values: ArrayLike<number>, idx: ArrayLike<number>, out = new Float64Array(idx.length)): Float64Array {
  for (let k = 0; k < idx.length; k++) out[k] = values[idx[k]];
  return out;
}

/**
 * Every resample's value of each named statistic (NaN where a resample does not support it), in
 * resample order. `stats` gets the indices of one resample; `indices` replaces the seeded draws
 * (e.g. an exhaustive enumeration in a test).
 */
export function bootstrapValues(
  n: number,
  stats: (idx: Int32Array) => Record<string, number>,
  opts: { resamples: number; seed?: number; indices?: Int32Array[] },
): Map<string, number[]> {
  const samples = new Map<string, number[]>();
  const draws = opts.indices ?? resampleIndices(n, opts);
  draws.forEach((idx, r) => {
    for (const [name, v] of Object.entries(stats(idx))) {
      if (!samples.has(name)) samples.set(name, new Array<number>(r).fill(NaN));
      samples.get(name)!.push(v);
    }
  });
  return samples;
}

/**
 * Percentile intervals at `level` (default 0.95) of several statistics of (labels, scores). `stats`
 * maps each resample to named values; NaN values (e.g. a resample without background) are left out
 * of that statistic. +Infinity counts as the largest value.
 */
export function bootstrapIntervals(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  stats: (labels: Float64Array, scores: Float64Array) => Record<string, number>,
  opts: BootstrapOptions & { indices?: Int32Array[] },
): Record<string, [number, number]> {
  const level = opts.level ?? DEFAULT_LEVEL;
  checkLevel(level);
  const l = new Float64Array(labels.length);
  const s = new Float64Array(labels.length);
  const samples = bootstrapValues(labels.length, (idx) => stats(gather(labels, idx, l), gather(scores, idx, s)), opts);
  const out: Record<string, [number, number]> = {};
  for (const [name, vs] of samples) out[name] = percentileInterval(vs, level);
  return out;
}
