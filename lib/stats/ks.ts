/**
 * Two-sample Kolmogorov–Smirnov statistics: D = sup_x |F_a(x) - F_b(x)| between the empirical
 * distribution functions of two samples, and its asymptotic p-value (Kolmogorov distribution).
 */

/** KS distance in [0, 1] between two samples (copied and sorted; inputs untouched). Ties count once. */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedFinite(a, "first");
  const y = sortedFinite(b, "second");
  const n = x.length;
  const m = y.length;
  let i = 0;
  let j = 0;
  let d = 0;
  // Walk the merged order; compare the CDFs only after all values equal to the current one.
  while (i < n && j < m) {
    const v = Math.min(x[i], y[j]);
    while (i < n && x[i] === v) i++;
    while (j < m && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/**
 * Asymptotic p-value of D for sample sizes n, m: Q_KS(sqrt(ne) D) with ne = nm/(n+m) and the
 * small-sample correction of Stephens (Numerical Recipes, 14.3).
 */
export function ksPValue(d: number, n: number, m: number): number {
  const ne = Math.sqrt((n * m) / (n + m));
  const lambda = (ne + 0.12 + 0.11 / ne) * d;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) return Math.min(1, Math.max(0, sum));
  }
  // Not converged in 100 terms: lambda < ~0.037, where Q_KS = 1 to double precision (the dual
  // theta series gives 1 - Q < exp(-pi^2 / (8 lambda^2)) < 1e-300); a partial sum would be garbage.
  return 1;
}

function sortedFinite(a: ArrayLike<number>, which: string): Float64Array {
  if (a.length === 0) throw new RangeError(`ksDistance: the ${which} sample is empty`);
  const s = Float64Array.from(a);
  for (let i = 0; i < s.length; i++) {
    if (!Number.isFinite(s[i])) throw new RangeError(`ksDistance: the ${which} sample has a non-finite value ${s[i]} at index ${i}`);
  }
  return s.sort();
}
