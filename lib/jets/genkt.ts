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
 * All state lives in flat typed arrays reused across events (sequence.ts): no allocation per step,
 * and none per event once grown to the largest event. One instance per thread.
 */
import { FourMomenta, phi02pi as phi02piImported, rapidityOf as rapidityOfImported } from "./pseudojet";
import { ClusterSequence } from "./sequence";

// Module-local bindings for the hot paths: imported bindings are property getters under tsx/esbuild.
const phi02pi = phi02piImported;
const rapidityOf = rapidityOfImported;
const PI = Math.PI;
const TWOPI = 2 * Math.PI;

export type Algorithm = "antikt" | "kt" | "cambridge";

/** The exponent p of the generalised-kt measure for each algorithm. */
export const KT_EXPONENT: Record<Algorithm, number> = { antikt: -1, kt: 1, cambridge: 0 };

/** FastJet's JetDefinition::max_allowable_R, used for exclusive-kt axes (every pair is within R). */
export const MAX_ALLOWABLE_R = 1000.0;

/** Slots per block of the minimum search (log2): each block caches its smallest diJ. */
const BLOCK_SHIFT = 4;
const BLOCK = 1 << BLOCK_SHIFT;

export class GenKtClusterer extends ClusterSequence {
  // Per live "brief jet" slot, capacity cap (FastJet's BriefJet array, compacted on removal).
  private bRap = new Float64Array(0);
  private bPhi = new Float64Array(0);
  private bScale = new Float64Array(0);
  private bNNDist = new Float64Array(0);
  private bNN = new Int32Array(0);
  private bJet = new Int32Array(0);
  private diJ = new Float64Array(0);
  /**
   * Each block of BLOCK slots' smallest diJ and its slot (Infinity when empty): a step reads n/16
   * block minima instead of n diJ. Exact ties between different pairs (measure zero) may pick
   * another slot than FastJet's scan; a mutual-NN pair's equal diJ is one merge either way.
   */
  private blockMin = new Float64Array(0);
  private blockArg = new Int32Array(0);

  private grow(n: number): void {
    if (!this.growJets(n)) return;
    const cap = this.cap;
    this.bRap = new Float64Array(cap); this.bPhi = new Float64Array(cap); this.bScale = new Float64Array(cap);
    this.bNNDist = new Float64Array(cap); this.bNN = new Int32Array(cap); this.bJet = new Int32Array(cap); this.diJ = new Float64Array(cap);
    const nb = (cap >> BLOCK_SHIFT) + 1;
    this.blockMin = new Float64Array(nb); this.blockArg = new Int32Array(nb);
  }

  /** diJ of slot s, keeping its block's minimum. */
  private setDiJ(s: number, v: number): void {
    this.diJ[s] = v;
    const blk = s >> BLOCK_SHIFT;
    if (v < this.blockMin[blk]) { this.blockMin[blk] = v; this.blockArg[blk] = s; }
    else if (this.blockArg[blk] === s) this.rescanBlock(blk);
  }

  /** Recompute block blk's minimum over its live slots (first slot wins ties). */
  private rescanBlock(blk: number): void {
    const dl = this.diJ;
    const from = blk << BLOCK_SHIFT, to = Math.min(this.nLive, from + BLOCK);
    let m = Infinity, arg = from;
    for (let s = from; s < to; s++) if (dl[s] < m) { m = dl[s]; arg = s; }
    this.blockMin[blk] = m; this.blockArg[blk] = arg;
  }

  private setJetInfo(slot: number, jet: number): void {
    const kt2 = this.kt2[jet];
    this.bRap[slot] = rapidityOf(this.pz[jet], this.E[jet], kt2);
    this.bPhi[slot] = phi02pi(this.px[jet], this.py[jet], kt2);
    this.bScale[slot] = this.jetScale(kt2);
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
    this.startJets(fm, count, p, R, idx);
    for (let k = 0; k < count; k++) this.setJetInfo(k, k);
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
    for (let blk = 0; blk <= count >> BLOCK_SHIFT; blk++) this.rescanBlock(blk);
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
    const { diJ, bNN, bNNDist, bRap, bPhi, bScale, bJet, blockMin } = this;
    const nb = ((n - 1) >> BLOCK_SHIFT) + 1;
    let bmin = 0, dmin = blockMin[0];
    for (let k = 1; k < nb; k++) if (blockMin[k] < dmin) { dmin = blockMin[k]; bmin = k; }
    let a = this.blockArg[bmin], b = bNN[a];
    if (b >= 0) {
      if (a < b) { const t = a; a = b; b = t; }
      const newJet = this.recombine(bJet[a], bJet[b]);
      this.setJetInfo(b, newJet);
    } else {
      this.toBeam(bJet[a]);
    }
    const tail = --n;
    this.nLive = n;
    const tb = tail >> BLOCK_SHIFT;
    if (this.blockArg[tb] === tail) this.rescanBlock(tb); // the last slot leaves its block
    // Move the last slot into a's place.
    if (a !== tail) {
      bRap[a] = bRap[tail]; bPhi[a] = bPhi[tail]; bScale[a] = bScale[tail];
      bNNDist[a] = bNNDist[tail]; bNN[a] = bNN[tail]; bJet[a] = bJet[tail];
      this.setDiJ(a, diJ[tail]);
    }
    if (b >= 0) {
      // FastJet's update loop, each test once per jet: a jet whose NN merged is recomputed (its
      // new NN is within slots 0..n-1, never the tail); else the new jet b may be its new NN; else
      // a NN in the tail slot follows that jet to slot a. b's own NN: the nearest, first slot on ties.
      const rb = bRap[b], fb = bPhi[b];
      let bBest = bNNDist[b], bBestJ = bNN[b];
      for (let i = 0; i < n; i++) {
        if (i === b) continue;
        let dphi = Math.abs(bPhi[i] - fb);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = bRap[i] - rb;
        const dist = dphi * dphi + drap * drap;
        const nni = bNN[i];
        if (nni === a || nni === b) {
          // Its NN merged. When the new jet is strictly closer than that NN was, it is the unique
          // nearest (every other jet was at least that far): what the full scan would find.
          if (dist < bNNDist[i]) { bNNDist[i] = dist; bNN[i] = b; }
          else this.setNNNoCross(i, n);
          this.setDiJ(i, this.slotDiJ(i));
        } else if (dist < bNNDist[i]) {
          bNNDist[i] = dist; bNN[i] = b;
          this.setDiJ(i, this.slotDiJ(i));
        } else if (nni === tail) bNN[i] = a;
        if (dist < bBest) { bBest = dist; bBestJ = i; }
      }
      bNNDist[b] = bBest; bNN[b] = bBestJ;
      this.setDiJ(b, this.slotDiJ(b));
    } else {
      // Beam step: FastJet also recomputes jets whose NN is NULL, which cannot change them.
      for (let i = 0; i < n; i++) {
        if (bNN[i] === a) {
          this.setNNNoCross(i, n);
          this.setDiJ(i, this.slotDiJ(i));
        }
        if (bNN[i] === tail) bNN[i] = a;
      }
    }
    return true;
  }

  /** Rapidity and azimuth (in [0, 2pi)) of particles 0..n-1; valid right after init, before any step. */
  initialRapPhi(rap: Float64Array, phi: Float64Array): void {
    rap.set(this.bRap.subarray(0, this.nParticles));
    phi.set(this.bPhi.subarray(0, this.nParticles));
  }

  /** Jet number of live slot s (0 <= s < nLive). */
  liveJet(s: number): number {
    return this.bJet[s];
  }
}
