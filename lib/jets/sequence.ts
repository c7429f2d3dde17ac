/**
 * What every generalised-kt clusterer (genkt.ts, tiled.ts) records: the jets of the sequence with
 * their E-scheme four-momenta, FastJet history order and constituent lists, and the jets that went
 * to the beam. Flat typed arrays, grown to the largest event and reused (no per-step allocation).
 * Jet ids: particles 0..n-1, then merged jets in creation order.
 */
import { FourMomenta, kt2Of as kt2OfImported } from "./pseudojet";

// Module-local bindings: imported functions are reached through getters under tsx/esbuild (hot paths).
const kt2Of = kt2OfImported;

export abstract class ClusterSequence {
  protected cap = 0;
  /** Four-momentum [GeV] and kt^2 of each jet id, capacity 2*cap. */
  px = new Float64Array(0);
  py = new Float64Array(0);
  pz = new Float64Array(0);
  E = new Float64Array(0);
  kt2 = new Float64Array(0);
  /** History index of each jet (FastJet cluster_hist_index): orders constituents parent1-first. */
  protected hist = new Int32Array(0);
  /** Constituent list of each jet as a linked list over particle numbers 0..n-1. */
  private cFirst = new Int32Array(0);
  private cLast = new Int32Array(0);
  private cNext = new Int32Array(0);
  /**
   * The arrays above and beamJets are views into two blocks (native-tiled.ts hands the native
   * clusterer just these two): f64 = px, py, pz, E, kt2 (2*cap each); i32 = hist, cFirst, cLast
   * (2*cap each), cNext, beamJets (cap each).
   */
  protected f64 = new Float64Array(0);
  protected i32 = new Int32Array(0);
  /** Jets that went to the beam, in order (the inclusive jets, before any pT cut). */
  beamJets = new Int32Array(0);
  nBeam = 0;
  /** Particles clustered, jets created so far, jets still live (not merged, not at the beam). */
  nParticles = 0;
  nJets = 0;
  nLive = 0;
  protected nHist = 0;
  /** Generalised-kt exponent (-1 anti-kt, 0 C/A, 1 kt) and R^2. */
  protected p = -1;
  protected R2 = 1;

  /** Capacity for n particles; returns true when the arrays were reallocated (subclasses grow theirs). */
  protected growJets(n: number): boolean {
    if (n <= this.cap) return false;
    const cap = Math.max(n, 2 * this.cap, 64), j = 2 * cap;
    const f64 = new Float64Array(5 * j), i32 = new Int32Array(3 * j + 2 * cap);
    this.f64 = f64; this.i32 = i32;
    this.px = f64.subarray(0, j); this.py = f64.subarray(j, 2 * j); this.pz = f64.subarray(2 * j, 3 * j); this.E = f64.subarray(3 * j, 4 * j);
    this.kt2 = f64.subarray(4 * j, 5 * j); this.hist = i32.subarray(0, j); this.cFirst = i32.subarray(j, 2 * j); this.cLast = i32.subarray(2 * j, 3 * j);
    this.cNext = i32.subarray(3 * j, 3 * j + cap); this.beamJets = i32.subarray(3 * j + cap, 3 * j + 2 * cap);
    this.cap = cap;
    return true;
  }

  /** Load `count` particles, particle k being fm[idx[k]] (idx omitted: fm[k]). */
  protected startJets(fm: FourMomenta, count: number, p: number, R: number, idx?: ArrayLike<number>): void {
    this.p = p; this.R2 = R * R;
    this.nParticles = count; this.nJets = count; this.nHist = count; this.nLive = count; this.nBeam = 0;
    for (let k = 0; k < count; k++) {
      const i = idx ? idx[k] : k;
      const x = fm.px[i], y = fm.py[i];
      this.px[k] = x; this.py[k] = y; this.pz[k] = fm.pz[i]; this.E[k] = fm.E[i];
      this.kt2[k] = kt2Of(x, y);
      this.hist[k] = k; this.cFirst[k] = k; this.cLast[k] = k; this.cNext[k] = -1;
    }
  }

  /** FastJet's jet_scale_for_algorithm: kt^2 (kt), 1 (C/A), 1/kt^2 (anti-kt), kt^(2p) otherwise. */
  protected jetScale(kt2: number): number {
    const p = this.p;
    if (p === -1) return kt2 > 1e-300 ? 1.0 / kt2 : 1e300;
    if (p === 1) return kt2;
    if (p === 0) return 1.0;
    return Math.pow(p <= 0 && kt2 < 1e-300 ? 1e-300 : kt2, p);
  }

  /** E-scheme sum of jets i and j into a new jet (returned); constituents ordered lower history index first. */
  protected recombine(i: number, j: number): number {
    const k = this.nJets++;
    this.px[k] = this.px[i] + this.px[j];
    this.py[k] = this.py[i] + this.py[j];
    this.pz[k] = this.pz[i] + this.pz[j];
    this.E[k] = this.E[i] + this.E[j];
    this.kt2[k] = kt2Of(this.px[k], this.py[k]);
    this.hist[k] = this.nHist++;
    const first = this.hist[i] < this.hist[j] ? i : j, second = first === i ? j : i;
    this.cNext[this.cLast[first]] = this.cFirst[second];
    this.cFirst[k] = this.cFirst[first];
    this.cLast[k] = this.cLast[second];
    return k;
  }

  /** Jet a goes to the beam (becomes an inclusive jet). */
  protected toBeam(a: number): void {
    this.beamJets[this.nBeam++] = a;
    this.nHist++;
  }

  /** Constituents of jet k as particle numbers (mapped through `map` when given), in FastJet's constituents() order. */
  constituentsOf(k: number, out: number[], map?: ArrayLike<number>): number[] {
    for (let c = this.cFirst[k]; c >= 0; c = this.cNext[c]) {
      out.push(map ? map[c] : c);
      if (c === this.cLast[k]) break;
    }
    return out;
  }

  /** Start a clustering (see startJets); p the generalised-kt exponent, R the radius. */
  abstract init(fm: FourMomenta, count: number, p: number, R: number, idx?: ArrayLike<number>): void;
  /** One recombination step (pair merge or beam); false when nothing is left. */
  abstract step(): boolean;
  /** Jet id of live jet number s (0 <= s < nLive). */
  abstract liveJet(s: number): number;

  /** Run until `nStop` jets are live (0: to completion). */
  runUntil(nStop: number): void {
    while (this.nLive > nStop) this.step();
  }
}
