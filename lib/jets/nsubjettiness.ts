/**
 * N-subjettiness tau_N (Thaler & Van Tilburg), with fjcontrib Nsubjettiness conventions:
 *   axes    KT_Axes: the N exclusive jets of kt clustering (R = 1000, E-scheme) of the jet's constituents;
 *   measure NormalizedMeasure(beta, R0):
 *           tau_N = sum_i pT_i min_k DeltaR_ik^beta / sum_i pT_i R0^beta,
 *           DeltaR in true rapidity and azimuth (PseudoJet::squared_distance), pT_i = perp().
 * A jet with <= N constituents has tau_N = 0 (fjcontrib's convention). Dimensionless.
 * The axes come from native code (native-kt-axes.ts, the same four-momenta bit for bit) when the
 * addon is built; the measure is always computed here, so tau does not depend on the addon.
 */
import { GenKtClusterer, MAX_ALLOWABLE_R } from "./genkt";
import { nativeKtAxes, NativeKtAxes } from "./native-kt-axes";
import { FourMomenta, kt2Of as kt2OfImported, phi02pi as phi02piImported, rapidityOf as rapidityOfImported } from "./pseudojet";

// Module-local bindings for the hot paths: imported bindings are property getters under tsx/esbuild.
const phi02pi = phi02piImported;
const rapidityOf = rapidityOfImported;
const kt2Of = kt2OfImported;
const PI = Math.PI;
const TWOPI = 2 * Math.PI;

export interface NsubjettinessOptions {
  /** Angular exponent beta (1: the usual choice, linear in DeltaR). */
  beta: number;
  /** Characteristic radius R0 of the normalisation (the jet radius R). */
  R0: number;
  /** Largest N computed: tau_1..tau_maxN. */
  maxN: number;
}

export const DEFAULT_NSUBJETTINESS: NsubjettinessOptions = { beta: 1, R0: 1.0, maxN: 3 };

/** The native axes (native-kt-axes.ts): null until first needed, undefined when not built. */
let native: NativeKtAxes | undefined | null = null;
let nativeOn = true;
/** Native axes: (px, py, pz, E) of axis s of N at 2N(N-1) + 4s. */
let axes4 = new Float64Array(0);

/**
 * Switches the axes between native (when built) and JS (tests and benchmarks compare the two;
 * cluster.ts's useNativeClustering switches both); returns whether the native ones are now in use.
 */
export function useNativeNsubjettiness(on: boolean): boolean {
  nativeOn = on;
  if (native === null) native = nativeKtAxes();
  return on && native !== undefined;
}

/** Plain N^2 (as FastJet for N < 75 at this R): measured faster than tiling for jets' constituents. */
const axesClusterer = new GenKtClusterer();
let cRap = new Float64Array(0);
let cPhi = new Float64Array(0);
let cPt = new Float64Array(0);
let cAxis = new Int32Array(0);
const MAX_AXES = 16;
const aRap = new Float64Array(MAX_AXES);
const aPhi = new Float64Array(MAX_AXES);
const pieces = new Float64Array(MAX_AXES);

/**
 * tau_1..tau_maxN of the jet made of particles `constituents` (indices into fm), in out[0..maxN-1].
 */
export function nsubjettiness(fm: FourMomenta, constituents: ArrayLike<number>, opts?: Partial<NsubjettinessOptions>, out?: Float64Array): Float64Array {
  const { beta, R0, maxN } = { ...DEFAULT_NSUBJETTINESS, ...opts };
  if (!(maxN >= 1 && maxN <= MAX_AXES)) throw new RangeError(`nsubjettiness: maxN must be 1..${MAX_AXES}, got ${maxN}`);
  if (!(beta > 0) || !(R0 > 0)) throw new RangeError(`nsubjettiness: beta and R0 must be > 0 (got ${beta}, ${R0})`);
  const tau = out ?? new Float64Array(maxN);
  tau.fill(0, 0, maxN);
  const m = constituents.length;
  if (m <= 1) return tau;
  if (nativeOn && native === null) native = nativeKtAxes();
  if (cRap.length < m) {
    const cap = Math.max(m, 2 * cRap.length);
    cRap = new Float64Array(cap); cPhi = new Float64Array(cap); cPt = new Float64Array(cap); cAxis = new Int32Array(cap);
  }
  const denomWeight = beta === 1 ? R0 : Math.pow(R0, beta);
  if (nativeOn && native) {
    // Native axes; the constituents' rapidity and azimuth with the clusterer's formulas (genkt.ts).
    const size = 2 * maxN * (maxN + 1);
    if (axes4.length < size) axes4 = new Float64Array(size);
    native(fm, constituents, maxN, axes4);
    for (let i = 0; i < m; i++) {
      const c = constituents[i], k2 = kt2Of(fm.px[c], fm.py[c]);
      cRap[i] = rapidityOf(fm.pz[c], fm.E[c], k2);
      cPhi[i] = phi02pi(fm.px[c], fm.py[c], k2);
      cPt[i] = Math.sqrt(k2);
    }
    for (let N = Math.min(maxN, m - 1); N >= 1; N--) {
      for (let s = 0, o = 2 * N * (N - 1); s < N; s++, o += 4) {
        const px = axes4[o], py = axes4[o + 1], k2 = kt2Of(px, py);
        aRap[s] = rapidityOf(axes4[o + 2], axes4[o + 3], k2);
        aPhi[s] = phi02pi(px, py, k2);
      }
      tau[N - 1] = measure(m, N, beta, denomWeight);
    }
    return tau;
  }
  const ac = axesClusterer;
  ac.init(fm, m, 1, MAX_ALLOWABLE_R, constituents);
  // The constituents' rapidity and azimuth, as the clusterer has just computed them (same formulas).
  ac.initialRapPhi(cRap, cPhi);
  for (let i = 0; i < m; i++) cPt[i] = Math.sqrt(ac.kt2[i]);
  for (let N = Math.min(maxN, m - 1); N >= 1; N--) {
    ac.runUntil(N);
    for (let s = 0; s < N; s++) {
      const k = ac.liveJet(s);
      aRap[s] = rapidityOf(ac.pz[k], ac.E[k], ac.kt2[k]);
      aPhi[s] = phi02pi(ac.px[k], ac.py[k], ac.kt2[k]);
    }
    tau[N - 1] = measure(m, N, beta, denomWeight);
  }
  return tau;
}

/** The normalised measure for the current axes aRap/aPhi[0..N-1], summed in fjcontrib's order (by axis). */
function measure(m: number, N: number, beta: number, denomWeight: number): number {
  pieces.fill(0, 0, N);
  for (let i = 0; i < m; i++) {
    let best = 0, bestD = dist2(i, 0);
    for (let j = 1; j < N; j++) {
      const d = dist2(i, j);
      if (d < bestD) { bestD = d; best = j; }
    }
    cAxis[i] = best;
  }
  let den = 0;
  for (let j = 0; j < N; j++) {
    let piece = 0;
    for (let i = 0; i < m; i++) {
      if (cAxis[i] !== j) continue;
      const d = dist2(i, j);
      if (d > 0) piece += cPt[i] * (beta === 1 ? Math.sqrt(d) : Math.pow(d, beta / 2));
      den += cPt[i] * denomWeight;
    }
    pieces[j] = piece;
  }
  let num = 0;
  for (let j = 0; j < N; j++) num += pieces[j];
  return num / den;
}

function dist2(i: number, j: number): number {
  let dphi = Math.abs(cPhi[i] - aPhi[j]);
  if (dphi > PI) dphi = TWOPI - dphi;
  const drap = cRap[i] - aRap[j];
  return dphi * dphi + drap * drap;
}
