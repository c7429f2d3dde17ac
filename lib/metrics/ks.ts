/**
 * Two-sample Kolmogorov–Smirnov distance sup_x |F_a(x) − F_b(x)| between empirical distributions,
 * used to quantify how far simulated and real feature distributions are apart.
 */

/** KS statistic D in [0, 1] (as scipy.stats.ks_2samp's statistic). */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new Error(`ksDistance: empty sample (${a.length} vs ${b.length} values)`);
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    // Step past every value equal to the smaller current one in both samples, then compare CDFs.
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
