/**
 * Poisson counting significance: the p-value of observing at least n events when b are expected,
 * p = P(N >= n | b) = P(n, b) (regularised lower incomplete gamma), and its one-sided Gaussian
 * equivalent Z = Phi^-1(1 - p), computed from p directly so tiny p keep their precision.
 */

/** ln Gamma(x), x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised incomplete gammas [P(a,x), Q(a,x)] for a > 0, x >= 0 (series / Lentz continued fraction). */
export function incompleteGamma(a: number, x: number): [number, number] {
  if (!(a > 0) || !(x >= 0)) throw new Error(`incompleteGamma: need a > 0, x >= 0 (got a=${a}, x=${x})`);
  if (x === 0) return [0, 1];
  const lnPre = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    const p = Math.exp(lnPre) * sum;
    return [p, 1 - p];
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  const q = Math.exp(lnPre) * h;
  return [1 - q, q];
}

/** erfc(x), via Q(1/2, x^2) for x >= 0. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return incompleteGamma(0.5, x * x)[1];
}

/** z with 1 - Phi(z) = p (Acklam's rational approximation + two Halley refinements on erfc). */
export function zFromPValue(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`zFromPValue: p must be in [0, 1], got ${p}`);
  if (p === 0) return Infinity;
  if (p === 1) return -Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  // x = Phi^-1(q) for the lower tail q = p; z = -x.
  const q = p;
  let x: number;
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q));
    x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  } else if (q <= 1 - 0.02425) {
    const s = q - 0.5;
    const r = s * s;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * s) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const r = Math.sqrt(-2 * Math.log(1 - q));
    x = -(((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  }
  for (let k = 0; k < 2; k++) {
    const e = 0.5 * erfc(-x / Math.SQRT2) - q; // Phi(x) - q
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
    x = x - u / (1 + (x * u) / 2);
  }
  return -x;
}

/**
 * ln P(a, x) for x < a (the series), so that p-values far below 1e-308 keep a finite logarithm.
 * Returns null when x >= a (p is then not small and can be computed directly).
 */
export function logLowerGammaSeries(a: number, x: number): number | null {
  if (!(x > 0) || x >= a) return null;
  let sum = 1 / a;
  let term = sum;
  for (let n = 1; n < 100_000; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return a * Math.log(x) - x - lnGamma(a) + Math.log(sum);
}

/**
 * z with ln(1 - Phi(z)) = lnP, for p too small for doubles: Newton steps on the asymptotic tail
 * ln(1 - Phi(z)) = -z^2/2 - ln(z sqrt(2 pi)) + ln(1 - 1/z^2 + 3/z^4 - 15/z^6), accurate to ~1e-6 relative beyond z = 37.
 */
export function zFromLogPValue(lnP: number): number {
  if (lnP > -700) return zFromPValue(Math.exp(lnP));
  const lnTail = (z: number) => -0.5 * z * z - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / z ** 2 + 3 / z ** 4 - 15 / z ** 6);
  let z = Math.sqrt(-2 * lnP);
  for (let i = 0; i < 50; i++) {
    const step = (lnTail(z) - lnP) / (-z - 1 / z); // d/dz lnTail ≈ -z - 1/z
    z -= step;
    if (Math.abs(step) < 1e-12 * z) break;
  }
  return z;
}

/** p = P(N >= n | b) for a Poisson mean b > 0 and an observed count n >= 0. */
export function poissonPValue(n: number, b: number): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`poissonPValue: n must be a non-negative integer, got ${n}`);
  if (!(b > 0)) throw new Error(`poissonPValue: expected background b must be > 0, got ${b}`);
  return n === 0 ? 1 : incompleteGamma(n, b)[0];
}

/** One-sided significance Z of n observed over b expected (negative for a deficit); finite even when p underflows. */
export function poissonSignificance(n: number, b: number): number {
  const p = poissonPValue(n, b);
  if (p > 1e-300) return zFromPValue(p);
  return zFromLogPValue(logLowerGammaSeries(n, b) ?? Math.log(p));
}

/** The asymptotic (Asimov) discovery significance sqrt(2 (n ln(n/b) - (n - b))), signed. */
export function asimovSignificance(n: number, b: number): number {
  const t = n > 0 ? n * Math.log(n / b) - (n - b) : b;
  return Math.sign(n - b) * Math.sqrt(2 * Math.max(0, t));
}
