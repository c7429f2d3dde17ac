/**
 * Exact (Clopper–Pearson) confidence interval of a binomial proportion: the set of rates p for
 * which observing k successes in n trials is not in either α/2 tail. Its ends are beta quantiles:
 * lower = B⁻¹(α/2; k, n − k + 1) (0 when k = 0), upper = B⁻¹(1 − α/2; k + 1, n − k) (1 when k = n).
 * Conservative: the coverage is at least the level for every p.
 */
import { betaQuantile } from "./beta";

/** Central interval [lo, hi] of the rate k/n at `level` (default 0.95). */
export function clopperPearson(k: number, n: number, level = 0.95): [number, number] {
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`clopperPearson: n = ${n} must be a positive integer`);
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`clopperPearson: k = ${k} must be an integer in [0, ${n}]`);
  if (!(level > 0 && level < 1)) throw new RangeError(`clopperPearson: level ${level} is not in (0, 1)`);
  const alpha = 1 - level;
  const lo = k === 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
  const hi = k === n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
  return [lo, hi];
}
