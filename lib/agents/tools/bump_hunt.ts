/**
 * `bump_hunt`: a sliding-window search for a localised excess in m_jj.
 *
 * For each signal window [s, s + w) the background is estimated from the two adjacent side-bands
 * [s - d, s) and [s + w, s + w + d) of densities rho_L = n_L / d and rho_R = n_R / d:
 *   linear       b = w (rho_L + rho_R) / 2, exact for a density linear across the three windows;
 *   exponential  b = w sqrt(rho_L rho_R) sinhc(k w / 2) / sinhc(k d / 2), k = ln(rho_L / rho_R) / (w + d),
 *                exact for a density A exp(-k m) (the steeply falling dijet spectrum; sinhc x = sinh x / x).
 *                With an empty side-band it falls back to linear.
 * The local significance is the Poisson p-value p = P(N >= n | b) and its one-sided Gaussian
 * equivalent Z. The side-band statistical uncertainty on b (propagated from n_L and n_R) is
 * reported but not folded in. Only windows whose both side-bands lie inside the range are tested; a
 * crude global p-value (Bonferroni, min(1, p * trials)) is reported for the look-elsewhere effect.
 * Both estimates assume a smooth spectrum: at a turn-on (trigger threshold) they see fake bumps,
 * so start the range above it.
 */
import { asimovSignificance, poissonPValue, poissonSignificance } from "../stats/poisson";
import { MjjSource, RANGE_SCHEMA, resolveValues } from "./mjj_histogram";
import type { Tool } from "./tool";

export interface BumpHuntOptions {
  /** Scan range [GeV], side-bands included. */
  range: [number, number];
  /** Signal-window width w [GeV]. */
  window: number;
  /** Width d of each side-band [GeV]. */
  sideband: number;
  /** Shift between window starts [GeV] (default w / 2). */
  step?: number;
  /** Side-band interpolation (default "exponential"). */
  background?: "linear" | "exponential";
}

export interface BumpWindow {
  /** Signal window [GeV]. */
  lo: number;
  hi: number;
  /** Observed count in the window. */
  n: number;
  /** Side-band counts. */
  n_left: number;
  n_right: number;
  /** Expected background in the window and its side-band statistical uncertainty. */
  b: number;
  b_err: number;
  /** Local p-value P(N >= n | b) (0 when below ~1e-308) and one-sided Z (negative for a deficit; finite even then). */
  p_value: number;
  z: number;
  /** Asymptotic sqrt(2(n ln(n/b) - n + b)), signed, for comparison. */
  z_asimov: number;
}

export interface BumpHuntResult {
  windows: BumpWindow[];
  /** The window with the smallest local p-value (null when no window could be estimated). */
  best: BumpWindow | null;
  /** Windows tested (with b > 0). */
  trials: number;
  /** min(1, p_best * trials): a conservative look-elsewhere correction. */
  p_global_bonferroni: number | null;
}

const sinhc = (x: number) => (Math.abs(x) < 1e-8 ? 1 + (x * x) / 6 : Math.sinh(x) / x);

/**
 * Expected background in a window of width w between side-bands of width d holding nL and nR
 * events, and its statistical uncertainty from the side-band counts (see the top of the file).
 */
export function sidebandBackground(nL: number, nR: number, w: number, d: number, model: "linear" | "exponential" = "exponential"): { b: number; err: number } {
  if (model === "linear" || nL <= 0 || nR <= 0) {
    return { b: (w * (nL + nR)) / (2 * d), err: (w * Math.sqrt(nL + nR)) / (2 * d) };
  }
  const k = Math.log(nL / nR) / (w + d);
  const b = (w * Math.sqrt(nL * nR) * sinhc((k * w) / 2)) / (d * sinhc((k * d) / 2));
  // Leading order: b ∝ sqrt(nL nR) with k's dependence neglected, so db/b = sqrt(1/nL + 1/nR) / 2.
  return { b, err: (b / 2) * Math.sqrt(1 / nL + 1 / nR) };
}

/** Count of sorted values in [a, b). */
function countIn(sorted: Float64Array, a: number, b: number): number {
  return lowerBound(sorted, b) - lowerBound(sorted, a);
}
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function bumpHunt(values: ArrayLike<number>, opts: BumpHuntOptions): BumpHuntResult {
  const [lo, hi] = opts.range;
  const { window: w, sideband: d } = opts;
  const step = opts.step ?? w / 2;
  if (!(hi > lo)) throw new Error(`range must have lo < hi, got [${lo}, ${hi}]`);
  if (!(w > 0) || !(d > 0) || !(step > 0)) throw new Error(`window, sideband and step must be > 0 (got ${w}, ${d}, ${step})`);
  if (2 * d + w > hi - lo) throw new Error(`window + 2 side-bands (${w + 2 * d} GeV) do not fit in the range (${hi - lo} GeV)`);
  const sorted = Float64Array.from(Array.from(values).filter(Number.isFinite)).sort();
  const windows: BumpWindow[] = [];
  const eps = 1e-9 * (hi - lo);
  for (let k = 0; ; k++) {
    const s = lo + d + k * step;
    if (s + w + d > hi + eps) break;
    const n = countIn(sorted, s, s + w);
    const nL = countIn(sorted, s - d, s);
    const nR = countIn(sorted, s + w, s + w + d);
    const { b, err } = sidebandBackground(nL, nR, w, d, opts.background);
    if (!(b > 0)) continue; // no side-band events: background not estimable here
    const p = poissonPValue(n, b);
    windows.push({
      lo: s,
      hi: s + w,
      n,
      n_left: nL,
      n_right: nR,
      b,
      b_err: err,
      p_value: p,
      z: poissonSignificance(n, b),
      z_asimov: asimovSignificance(n, b),
    });
  }
  let best: BumpWindow | null = null;
  for (const win of windows) if (!best || win.p_value < best.p_value) best = win;
  return {
    windows,
    best,
    trials: windows.length,
    p_global_bonferroni: best ? Math.min(1, best.p_value * windows.length) : null,
  };
}

type BumpArgs = { range: [number, number]; window: number; sideband: number; step?: number; background?: "linear" | "exponential"; values?: number[]; top?: number };

export function bumpHuntTool(source?: MjjSource): Tool<BumpArgs> {
  return {
    name: "bump_hunt",
    description:
      "Sliding-window bump hunt over m_jj [GeV]: background in each signal window from the two adjacent side-bands (exponential or linear interpolation), local Poisson p-value and significance Z, best window and a Bonferroni global p-value. Start the range above the trigger turn-on.",
    parameters: {
      type: "object",
      properties: {
        range: RANGE_SCHEMA,
        window: { type: "number", exclusiveMinimum: 0, description: "signal-window width [GeV]" },
        sideband: { type: "number", exclusiveMinimum: 0, description: "width of each side-band [GeV]" },
        step: { type: "number", exclusiveMinimum: 0, description: "shift between windows [GeV], default window/2" },
        background: { type: "string", enum: ["linear", "exponential"], description: "side-band interpolation (default exponential, for a falling spectrum)" },
        values: { type: "array", items: { type: "number" }, description: "m_jj values [GeV]; omit to use the loaded sample" },
        top: { type: "integer", minimum: 1, maximum: 100, description: "how many most significant windows to list (default 5)" },
      },
      required: ["range", "window", "sideband"],
      additionalProperties: false,
    },
    async run(args) {
      const values = await resolveValues(args.values, source);
      const r = bumpHunt(values, args);
      const top = [...r.windows].sort((a, b) => a.p_value - b.p_value).slice(0, args.top ?? 5);
      return { best: r.best, trials: r.trials, p_global_bonferroni: r.p_global_bonferroni, top_windows: top };
    },
  };
}
