/**
 * Inclusive jets of an event: generalised-kt clustering of massless LHCO particles, FastJet-exact
 * (genkt.ts: plain N^2 for small events, tiled above: native-tiled.ts when the native addon is
 * built, else tiled.ts, its portable twin), jets with pT >= ptmin sorted by decreasing pT,
 * constituents kept.
 */
import { sayPortable } from "../util/native-addon";
import { Algorithm, GenKtClusterer, KT_EXPONENT } from "./genkt";
import { nativeClusterer, nativeClusterUnavailable, NativeTiledGenKtClusterer } from "./native-tiled";
import { useNativeNsubjettiness } from "./nsubjettiness";
import { ClusterSequence } from "./sequence";
import { TiledGenKtClusterer } from "./tiled";
import { FourMomenta, fourMomenta, massOf, phiStd, pseudorapidityOf, rapidityOf } from "./pseudojet";

export type { Algorithm } from "./genkt";

export interface JetDefinition {
  algorithm: Algorithm;
  /** Jet radius R in the rapidity-azimuth plane. */
  R: number;
}

export interface Jet {
  /** E-scheme four-momentum [GeV]. */
  px: number;
  py: number;
  pz: number;
  E: number;
  /** Transverse momentum sqrt(px^2+py^2) [GeV]. */
  pt: number;
  /** True rapidity y = (1/2) ln((E+pz)/(E-pz)) (FastJet rap()). */
  rap: number;
  /** Pseudorapidity (FastJet eta()). */
  eta: number;
  /** Azimuth in (-pi, pi] (FastJet phi_std()). */
  phi: number;
  /** Invariant mass [GeV], FastJet's m(): -sqrt(-m^2) when m^2 < 0 by rounding. */
  m: number;
  /** Indices into the input particle arrays, in FastJet's constituents() order. */
  constituents: number[];
}

const plain = new GenKtClusterer();
const portableTiled = new TiledGenKtClusterer();
/** The native clusterer: null until first needed, then the clusterer or undefined (not built). */
let nativeTiled: NativeTiledGenKtClusterer | undefined | null = null;
let nativeOn = true;

/** The clusterer for events above PLAIN_MAX: native when built and not switched off, else tiled.ts. */
function tiledClusterer(): ClusterSequence {
  if (nativeTiled === null) {
    nativeTiled = nativeClusterer();
    if (!nativeTiled) sayPortable("jet clustering", nativeClusterUnavailable() ?? "native addon not built");
  }
  return nativeOn && nativeTiled ? nativeTiled : portableTiled;
}

/**
 * Whether events above PLAIN_MAX cluster natively; on first use says once (main thread, stderr)
 * when they do not. For callers that cluster in worker threads (prepare), which cannot say it.
 */
export function nativeClusteringInUse(): boolean {
  return tiledClusterer() !== portableTiled;
}

/**
 * Switches tiled clustering, and N-subjettiness with it, between native and portable JS (tests and
 * benchmarks compare the two in one process); returns whether native clustering is now in use
 * (false when it is not built).
 */
export function useNativeClustering(on: boolean): boolean {
  nativeOn = on;
  useNativeNsubjettiness(on);
  return tiledClusterer() !== portableTiled;
}

/** Largest event clustered with the plain N^2 algorithm (FastJet: N <= 30 at R ~ 1). */
const PLAIN_MAX = 30;
let liveIdx = new Int32Array(0);
let scratchFm: FourMomenta | undefined;

/**
 * Inclusive jets with pt >= ptmin (FastJet inclusive_jets: perp2 >= ptmin^2), sorted by decreasing pt.
 * Input: massless particles (pt [GeV], eta, phi), as in the LHCO files. Entries with pt <= 0 (the
 * files' zero padding) are ignored; constituent indices still refer to the input arrays.
 * Throws RangeError on a non-finite pt, eta or phi.
 */
export function clusterJets(pt: Float64Array, eta: Float64Array, phi: Float64Array, def: JetDefinition, ptmin: number): Jet[] {
  scratchFm = fourMomenta(pt, eta, phi, scratchFm);
  return clusterFourMomenta(scratchFm, pt, def, ptmin);
}

/**
 * As clusterJets, from precomputed four-momenta `fm` (see fourMomenta); `pt` selects the particles
 * to cluster (pt > 0) and is checked for finiteness together with fm.
 */
export function clusterFourMomenta(fm: FourMomenta, pt: Float64Array, def: JetDefinition, ptmin: number): Jet[] {
  const p = KT_EXPONENT[def.algorithm];
  if (p === undefined) throw new RangeError(`clusterJets: unknown algorithm "${def.algorithm}" (antikt, kt or cambridge)`);
  if (!(def.R > 0) || def.R > 1000) throw new RangeError(`clusterJets: R must be in (0, 1000], got ${def.R}`);
  const n = pt.length;
  if (liveIdx.length < n) liveIdx = new Int32Array(Math.max(n, 2 * liveIdx.length));
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(fm.E[i]) || !Number.isFinite(fm.px[i]) || !Number.isFinite(fm.pz[i])) {
      throw new RangeError(`clusterJets: particle ${i} has a non-finite pt, eta or phi`);
    }
    if (pt[i] > 0) liveIdx[count++] = i;
  }
  // As FastJet: plain N^2 for few particles, tiles above (where tile bookkeeping pays off).
  const clusterer = count <= PLAIN_MAX ? plain : tiledClusterer();
  clusterer.init(fm, count, p, def.R, liveIdx);
  clusterer.runUntil(0);
  const dcut = ptmin * ptmin;
  const c = clusterer;
  const kept: number[] = [];
  for (let b = 0; b < c.nBeam; b++) if (c.kt2[c.beamJets[b]] >= dcut) kept.push(c.beamJets[b]);
  kept.sort((x, y) => c.kt2[y] - c.kt2[x]); // FastJet sorted_by_pt: decreasing kt^2
  return kept.map((k) => makeJet(c.px[k], c.py[k], c.pz[k], c.E[k], c.kt2[k], c.constituentsOf(k, [], liveIdx)));
}

/** A Jet from its E-scheme four-momentum, with FastJet's derived kinematics. */
export function makeJet(px: number, py: number, pz: number, E: number, kt2: number, constituents: number[]): Jet {
  return {
    px, py, pz, E,
    pt: Math.sqrt(kt2),
    rap: rapidityOf(pz, E, kt2),
    eta: pseudorapidityOf(px, py, pz),
    phi: phiStd(px, py, kt2),
    m: massOf(pz, E, kt2),
    constituents,
  };
}
