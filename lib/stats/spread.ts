/**
 * Spread of a quantity over repeated runs (e.g. one metric over training seeds): mean and the
 * sample standard deviation (n − 1 in the denominator, the unbiased variance).
 */

export interface Spread {
  mean: number;
  /** Sample standard deviation (n − 1); NaN for n < 2. */
  std: number;
  /** Number of values. */
  n: number;
}

/**
 * Mean ± std of the values. A NaN value (a metric the data could not support in one run) makes
 * mean and std NaN: averaging only the supported runs would hide that it failed.
 */
export function seedSpread(values: ArrayLike<number>): Spread {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  if (n < 2 || !Number.isFinite(mean)) return { mean, std: NaN, n };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}
