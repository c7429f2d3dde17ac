/**
 * Generalised-kt sequential recombination (anti-kt p = -1, Cambridge/Aachen p = 0, kt p = 1) with
 * E-scheme recombination, reproducing FastJet 3.4's ClusterSequence step for step.
 *
 * The algorithm is FastJet's nearest-neighbour-cached N^2 ("N2Plain", ClusterSequence_N2.cc):
 * every live jet keeps its geometric nearest neighbour (NN) within R; the pair to merge is the
 * minimum of diJ = min(scale_i, scale_NN) * DeltaR^2 (R^2 factored out, as FastJet does), where
 * scale is kt^2 (kt), 1 (C/A) or 1/kt^2 (anti-kt). A jet without a NN closer than R has
 * diJ = scale * R^2 and goes to the beam. The same floating-point formulas, comparisons (strict <,
 * first slot wins ties) and slot bookkeeping as FastJet are used, so the same pairs merge.
 *
 * All state lives in flat typed arrays reused across events: no allocation per step, and none per
 * event once the workspace has grown to the largest event. One instance per thread.
 */
import { FourMomenta, kt2Of, phi02pi, rapidityOf } from "./pseudojet";

// Local copies: imported bindings compile to property getters, too slow in the inner loops.
const PI = Math.PI;
const TWOPI = 2 * Math.PI;

export type Algorithm = "antikt" | "kt" | "cambridge";

/** The exponent p of the generalised-kt measure for each algorithm. */
export const KT_EXPONENT: Record<Algorithm, number> = { antikt: -1, kt: 1, cambridge: 0 };

/** FastJet's JetDefinition::max_allowable_R, used for exclusive-kt axes (every pair is within R). */
export const MAX_ALLOWABLE_R = 1000.0;

export class GenKtClusterer {
  private cap = 0;
  // Per jet (original particles 0..n0-1, then merged jets), capacity 2*cap.
  px = new Float64Array(0);
  py = new Float64Array(0);
  pz = new Float64Array(0);
  E = new Float64Array(0);
  kt2 = new Float64Array(0);
  /** History index of each jet (FastJet cluster_hist_index): orders constituents parent1-first. */
  private hist = new Int32Array(0);
  /** Constituent list of each jet as a linked list over particle numbers 0..n0-1. */
  private cFirst = new Int32Array(0);
  private cLast = new Int32Array(0);
  private cNext = new Int32Array(0);
  // Per live "brief jet" slot, capacity cap (FastJet's BriefJet array, compacted on removal).
  private bRap = new Float64Array(0);
  private bPhi = new Float64Array(0);
  private bScale = new Float64Array(0);
  private bNNDist = new Float64Array(0);
  private bNN = new Int32Array(0);
  private bJet = new Int32Array(0);
  private diJ = new Float64Array(0);
  /** Jets that went to the beam, in order. */
  beamJets = new Int32Array(0);
  nBeam = 0;
  /** Number of particles clustered (n0) and of jets created so far. */
  nParticles = 0;
  nJets = 0;
  /** Number of live slots (jets not yet merged or sent to the beam). */
  nLive = 0;
  private nHist = 0;
  private p = -1;
  private R2 = 1;

  private grow(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 2 * this.cap, 64);
    const j = 2 * cap;
    this.px = new Float64Array(j); this.py = new Float64Array(j); this.pz = new Float64Array(j); this.E = new Float64Array(j);
    this.kt2 = new Float64Array(j); this.hist = new Int32Array(j); this.cFirst = new Int32Array(j); this.cLast = new Int32Array(j);
    this.cNext = new Int32Array(cap); this.beamJets = new Int32Array(cap);
    this.bRap = new Float64Array(cap); this.bPhi = new Float64Array(cap); this.bScale = new Float64Array(cap);
    this.bNNDist = new Float64Array(cap); this.bNN = new Int32Array(cap); this.bJet = new Int32Array(cap); this.diJ = new Float64Array(cap);
    this.cap = cap;
  }

  /** FastJet's jet_scale_for_algorithm. */
  private scale(kt2: number): number {
    const p = this.p;
    if (p === 1) return kt2;
    if (p === 0) return 1.0;
    if (p === -1) return kt2 > 1e-300 ? 1.0 / kt2 : 1e300;
    let k = kt2;
    if (p <= 0 && k < 1e-300) k = 1e-300;
    return Math.pow(k, p);
  }

  private setJetInfo(slot: number, jet: number): void {
    const kt2 = this.kt2[jet];
    this.bRap[slot] = rapidityOf(this.pz[jet], this.E[jet], kt2);
    this.bPhi[slot] = phi02pi(this.px[jet], this.py[jet], kt2);
    this.bScale[slot] = this.scale(kt2);
    this.bJet[slot] = jet;
    this.bNNDist[slot] = this.R2;
    this.bNN[slot] = -1;
  }

  /**
   * Start a clustering of `count` particles, particle k having four-momentum fm[idx[k]]
   * (idx omitted: fm[k]). p is the generalised-kt exponent, R the radius.
   */
  init(fm: FourMomenta, count: number, p: number, R: number, idx?: ArrayLike<number>): void {
    this.grow(count);
    this.p = p;
    this.R2 = R * R;
    this.nParticles = count; this.nJets = count; this.nHist = count; this.nLive = count; this.nBeam = 0;
    const { px, py, pz, E, kt2, hist, cFirst, cLast, cNext } = this;
    for (let k = 0; k < count; k++) {
      const i = idx ? idx[k] : k;
      const x = fm.px[i], y = fm.py[i];
      px[k] = x; py[k] = y; pz[k] = fm.pz[i]; E[k] = fm.E[i];
      kt2[k] = kt2Of(x, y);
      hist[k] = k; cFirst[k] = k; cLast[k] = k; cNext[k] = -1;
      this.setJetInfo(k, k);
    }
    const { bRap, bPhi, bNNDist, bNN } = this;
    // NN initialisation (FastJet _bj_set_NN_crosscheck for A = 1..n-1 against 0..A-1).
    for (let a = 1; a < count; a++) {
      let nnDist = this.R2, nn = -1;
      const ra = bRap[a], fa = bPhi[a];
      for (let b = 0; b < a; b++) {
        let dphi = Math.abs(fa - bPhi[b]);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = ra - bRap[b];
        const dist = dphi * dphi + drap * drap;
        if (dist < nnDist) { nnDist = dist; nn = b; }
        if (dist < bNNDist[b]) { bNNDist[b] = dist; bNN[b] = a; }
      }
      bNN[a] = nn; bNNDist[a] = nnDist;
    }
    for (let s = 0; s < count; s++) this.diJ[s] = this.slotDiJ(s);
  }

  /** FastJet _bj_diJ: NN_dist * min(scale, scale of NN). */
  private slotDiJ(s: number): number {
    let sc = this.bScale[s];
    const nn = this.bNN[s];
    if (nn >= 0 && this.bScale[nn] < sc) sc = this.bScale[nn];
    return this.bNNDist[s] * sc;
  }

  /** FastJet _bj_set_NN_nocross over slots 0..n-1. */
  private setNNNoCross(s: number, n: number): void {
    const { bRap, bPhi } = this;
    let nnDist = this.R2, nn = -1;
    const ra = bRap[s], fa = bPhi[s];
    for (let b = 0; b < n; b++) {
      if (b === s) continue;
      let dphi = Math.abs(fa - bPhi[b]);
      if (dphi > PI) dphi = TWOPI - dphi;
      const drap = ra - bRap[b];
      const dist = dphi * dphi + drap * drap;
      if (dist < nnDist) { nnDist = dist; nn = b; }
    }
    this.bNN[s] = nn; this.bNNDist[s] = nnDist;
  }

  /** One recombination step (pair merge or beam); returns false when nothing is left. */
  step(): boolean {
    let n = this.nLive;
    if (n === 0) return false;
    const { diJ, bNN, bNNDist, bRap, bPhi, bScale, bJet } = this;
    let dmin = diJ[0], amin = 0;
    for (let i = 1; i < n; i++) if (diJ[i] < dmin) { amin = i; dmin = diJ[i]; }
    let a = amin, b = bNN[a];
    if (b >= 0) {
      if (a < b) { const t = a; a = b; b = t; }
      const newJet = this.recombine(bJet[a], bJet[b]);
      this.setJetInfo(b, newJet);
    } else {
      this.beamJets[this.nBeam++] = bJet[a];
      this.nHist++;
    }
    const tail = --n;
    this.nLive = n;
    // Move the last slot into a's place.
    bRap[a] = bRap[tail]; bPhi[a] = bPhi[tail]; bScale[a] = bScale[tail];
    bNNDist[a] = bNNDist[tail]; bNN[a] = bNN[tail]; bJet[a] = bJet[tail]; diJ[a] = diJ[tail];
    if (b >= 0) {
      const rb = bRap[b], fb = bPhi[b];
      for (let i = 0; i < n; i++) {
        if (bNN[i] === a || bNN[i] === b) {
          this.setNNNoCross(i, n);
          diJ[i] = this.slotDiJ(i);
        }
        let dphi = Math.abs(bPhi[i] - fb);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = bRap[i] - rb;
        const dist = dphi * dphi + drap * drap;
        if (dist < bNNDist[i] && i !== b) {
          bNNDist[i] = dist; bNN[i] = b;
          diJ[i] = this.slotDiJ(i);
        }
        if (dist < bNNDist[b] && i !== b) { bNNDist[b] = dist; bNN[b] = i; }
        if (bNN[i] === tail) bNN[i] = a;
      }
      diJ[b] = this.slotDiJ(b);
    } else {
      // Beam step: FastJet also recomputes jets whose NN is NULL, which cannot change them.
      for (let i = 0; i < n; i++) {
        if (bNN[i] === a) {
          this.setNNNoCross(i, n);
          diJ[i] = this.slotDiJ(i);
        }
        if (bNN[i] === tail) bNN[i] = a;
      }
    }
    return true;
  }

  /** E-scheme sum of jets i and j into a new jet; constituents ordered lower history index first. */
  private recombine(i: number, j: number): number {
    const k = this.nJets++;
    this.px[k] = this.px[i] + this.px[j];
    this.py[k] = this.py[i] + this.py[j];
    this.pz[k] = this.pz[i] + this.pz[j];
    this.E[k] = this.E[i] + this.E[j];
    this.kt2[k] = kt2Of(this.px[k], this.py[k]);
    this.hist[k] = this.nHist++;
    const first = this.hist[i] < this.hist[j] ? i : j;
    const second = first === i ? j : i;
    this.cNext[this.cLast[first]] = this.cFirst[second];
    this.cFirst[k] = this.cFirst[first];
    this.cLast[k] = this.cLast[second];
    return k;
  }

  /** Run until `nStop` jets are live (0: to completion). */
  runUntil(nStop: number): void {
    while (this.nLive > nStop) this.step();
  }

  /** Jet number of live slot s (0 <= s < nLive). */
  liveJet(s: number): number {
    return this.bJet[s];
  }

  /** Constituents of jet k as particle numbers 0..nParticles-1, in FastJet's constituents() order. */
  constituentsOf(k: number, out: number[], map?: ArrayLike<number>): number[] {
    for (let c = this.cFirst[k]; c >= 0; c = this.cNext[c]) {
      out.push(map ? map[c] : c);
      if (c === this.cLast[k]) break;
    }
    return out;
  }
}
