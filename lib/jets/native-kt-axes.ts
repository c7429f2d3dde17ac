/**
 * Exclusive-kt axes for N-subjettiness in native code (native/kt-axes.cc): nsubjettiness.ts's axes
 * clusterer (genkt.ts: kt at R = 1000, FastJet's N2Plain) line for line in C++, one call per jet,
 * giving the axes' four-momenta (the same E-scheme sums, bit for bit). The measure (tau) stays in
 * nsubjettiness.ts, so tau is the same with or without the addon.
 * Why: once clustering is native, the axes clustering of the two leading jets costs as much as the
 * event's clustering in JS (~90 us per LHCO event), the largest part of a `prepare` record.
 * `nativeKtAxes()` returns undefined without the addon (or with one built before kt-axes.cc).
 */
import { nativeAddon } from "../util/native-addon";
import { FourMomenta } from "./pseudojet";

/** The addon export (native/kt-axes.cc documents it). */
interface KtAxesAddon {
  ktAxes(px: Float64Array, py: Float64Array, pz: Float64Array, E: Float64Array, constituents: Int32Array, m: number, maxN: number, out: Float64Array): void;
}

/**
 * Axes of the jet of particles `constituents` (indices into fm) for N = min(maxN, m - 1) .. 1: the
 * N exclusive-kt jets in the clusterer's slot order, (px, py, pz, E) of axis s of N at
 * out[2N(N-1) + 4s ..]; out holds >= 2*maxN*(maxN+1) doubles.
 */
export type NativeKtAxes = (fm: FourMomenta, constituents: ArrayLike<number>, maxN: number, out: Float64Array) => void;

let scratch = new Int32Array(64);

/** The native axes, or undefined without the addon. */
export function nativeKtAxes(): NativeKtAxes | undefined {
  const addon = nativeAddon<Partial<KtAxesAddon>>();
  const call = addon?.ktAxes;
  if (typeof call !== "function") return undefined;
  return (fm, constituents, maxN, out) => {
    const m = constituents.length;
    let idx: Int32Array;
    if (constituents instanceof Int32Array) idx = constituents;
    else {
      if (scratch.length < m) scratch = new Int32Array(Math.max(m, 2 * scratch.length));
      for (let i = 0; i < m; i++) scratch[i] = constituents[i];
      idx = scratch;
    }
    call(fm.px, fm.py, fm.pz, fm.E, idx, m, maxN, out);
  };
}
