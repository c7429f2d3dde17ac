/**
 * Tiled generalised-kt clustering: the same sequence of recombinations as genkt.ts (and FastJet),
 * found faster for inclusive jets. The rapidity-azimuth plane is cut into tiles at least R wide, so
 * a jet's neighbours within R lie in its own or the 8 surrounding tiles; tiles farther than the
 * current best distance are skipped (FastJet's "lazy" tiling idea), using per-tile upper bounds on
 * the jets' NN distances. (Measured: for exclusive-kt axes, R = 1000, the plain N^2 is faster.)
 *
 * Merge decisions use the same formulas as FastJet (rap, phi in [0, 2pi), DeltaR^2, diJ = NN_dist *
 * min(scale)), so every comparison gives the same answer; only exactly equal distances may be broken
 * in a different order than FastJet's strategies (a measure-zero event for real data).
 * Jets are addressed by stable ids (particles 0..n-1, merged jets after); state is in flat typed
 * arrays reused across events (sequence.ts).
 *
 * Speed (issue 15): tile contents are packed one tile after another (each with a little slack for
 * merged jets) and interleaved (rap, phi, NN distance, NN) per entry, so a tile scan reads one or
 * two cache lines instead of five scattered arrays; the minimum diJ is kept per block of 16 slots.
 */
import { FourMomenta, phi02pi as phi02piImported, rapidityOf as rapidityOfImported } from "./pseudojet";
import { ClusterSequence } from "./sequence";

// Module-local bindings for the hot paths: imported bindings are property getters under tsx/esbuild.
const phi02pi = phi02piImported;
const rapidityOf = rapidityOfImported;
const PI = Math.PI;
const TWOPI = 2 * Math.PI;
/** Tile-distance safety margin: tile bounds are lower bounds, shrunk so rounding never prunes a true neighbour. */
const TILE_EPS = 1e-9;
/** Rapidities beyond this do not stretch the tiling (FastJet's choice), they fall in the edge tiles. */
const TILING_MAX_RAP = 7.0;
/** Offsets (rapidity, azimuth) of the 9 tiles around a tile, own tile first. */
const DI = new Int8Array([0, -1, -1, -1, 0, 0, 1, 1, 1]);
const DJ = new Int8Array([0, -1, 0, 1, -1, 1, -1, 0, 1]);
/** Live slots per block of the minimum search (log2): each block caches its smallest diJ. */
const BLOCK_SHIFT = 4;
const BLOCK = 1 << BLOCK_SHIFT;
/** Free entries per tile beyond its initial jets (merged jets land there; a full tile re-packs all). */
const TILE_SLACK = 4;
/** Doubles per tile entry in `tD`: rapidity, azimuth, NN distance, NN id (-1: none). */
const STRIDE = 4;

export class TiledGenKtClusterer extends ClusterSequence {
  /** `tileSlack`: free entries per tile at the start (tests pass 0 to exercise re-packing). */
  constructor(private readonly tileSlack: number = TILE_SLACK) {
    super();
  }

  // Per jet id, capacity 2*cap (sequence.ts holds the four-momenta and constituents).
  private rap = new Float64Array(0);
  private phi = new Float64Array(0);
  private scale = new Float64Array(0);
  private nnDist = new Float64Array(0);
  private nn = new Int32Array(0);
  /**
   * The live jets whose NN is x, as a doubly linked list (head rHead[x], links rNext/rPrev per
   * jet): after a merge the jets that lost their NN are read off these lists, not searched for.
   */
  private rHead = new Int32Array(0);
  private rNext = new Int32Array(0);
  private rPrev = new Int32Array(0);
  /** Scratch: the jets whose NN merged (afterMerge). */
  private orphans = new Int32Array(0);
  private tileOf = new Int32Array(0);
  /** Entry of a live jet in the tile storage, and its slot in the live arrays. */
  private tPos = new Int32Array(0);
  private livePos = new Int32Array(0);
  /** Live jets, densely packed: id and diJ (contiguous, for a fast minimum search). */
  private live = new Int32Array(0);
  private liveDiJ = new Float64Array(0);
  /**
   * Minimum search in two levels: slots in blocks of BLOCK, each block's smallest diJ (Infinity
   * when empty) and its slot. A step reads ~n/16 block minima instead of n diJ; a changed diJ
   * rescans its block only when it was that block's minimum and grew.
   */
  private blockMin = new Float64Array(0);
  private blockArg = new Int32Array(0);
  // Tiling: nRap x nPhi tiles; tile t holds tCount[t] jets at entries [tStart[t], tStart[t] + tCount[t]),
  // room for tCap[t]; entry e is tD[STRIDE*e ...] (rap, phi, nnDist, nn) and tId[e].
  private nRap = 1;
  private nPhi = 3;
  private rapMin = 0;
  private sizeRap = 1;
  private sizePhi = TWOPI / 3;
  private tStart = new Int32Array(0);
  private tCount = new Int32Array(0);
  private tCap = new Int32Array(0);
  private tId = new Int32Array(0);
  private tD = new Float64Array(0);
  /** Upper bound on nnDist of the tile's jets (lets whole tiles be skipped). */
  private tMaxNN = new Float64Array(0);
  /** 9 neighbour tiles per tile, own tile first, -1 where absent (beyond the rapidity edges). */
  private neigh = new Int32Array(0);
  /** The grid (rows, columns) `neigh` was built for. */
  private neighRap = -1;
  private neighPhi = -1;
  /** Tile bounds (tileBounds) of the jet being searched by findNN, and of afterMerge's jet. */
  private boundsNN = new Float64Array(9);
  private boundsMerge = new Float64Array(9);

  private grow(n: number): void {
    if (!this.growJets(n)) return;
    const cap = this.cap, j = 2 * cap;
    this.rap = new Float64Array(j); this.phi = new Float64Array(j); this.scale = new Float64Array(j); this.nnDist = new Float64Array(j);
    this.nn = new Int32Array(j); this.rHead = new Int32Array(j); this.rNext = new Int32Array(j); this.rPrev = new Int32Array(j);
    this.orphans = new Int32Array(cap); this.tileOf = new Int32Array(j); this.tPos = new Int32Array(j); this.livePos = new Int32Array(j);
    this.live = new Int32Array(cap); this.liveDiJ = new Float64Array(cap);
    const nb = (cap >> BLOCK_SHIFT) + 1;
    this.blockMin = new Float64Array(nb); this.blockArg = new Int32Array(nb);
  }

  private tileIndex(y: number, f: number): number {
    let ir = Math.floor((y - this.rapMin) / this.sizeRap);
    if (ir < 0) ir = 0; else if (ir >= this.nRap) ir = this.nRap - 1;
    let ip = Math.floor(f / this.sizePhi);
    if (ip >= this.nPhi) ip = this.nPhi - 1;
    return ir * this.nPhi + ip;
  }

  /** Tiles of side S (>= R) over the particles' rapidities (|y| < 7, edge tiles take the rest) and the azimuth. */
  private setupTiles(count: number, S: number): void {
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < count; k++) {
      const y = this.rap[k];
      if (Math.abs(y) < TILING_MAX_RAP) { if (y < lo) lo = y; if (y > hi) hi = y; }
    }
    if (!(lo <= hi)) lo = hi = 0;
    const iLo = Math.floor(lo / S), iHi = Math.floor(hi / S);
    this.sizeRap = S; this.rapMin = iLo * S; this.nRap = iHi - iLo + 1;
    // Azimuth tiles at least S wide; with 3 tiles the neighbourhood is the whole circle anyway.
    this.nPhi = Math.max(3, Math.floor(TWOPI / S)); this.sizePhi = TWOPI / this.nPhi;
    const nt = this.nRap * this.nPhi;
    if (this.tCount.length < nt) {
      this.tCount = new Int32Array(nt); this.tStart = new Int32Array(nt); this.tCap = new Int32Array(nt);
      this.tMaxNN = new Float64Array(nt); this.neigh = new Int32Array(9 * nt); this.neighRap = -1;
    }
    const { tCount, tCap } = this;
    tCount.fill(0, 0, nt); this.tMaxNN.fill(0, 0, nt);
    for (let k = 0; k < count; k++) {
      const t = this.tileIndex(this.rap[k], this.phi[k]);
      this.tileOf[k] = t;
      tCount[t]++;
    }
    for (let t = 0; t < nt; t++) { tCap[t] = tCount[t] + this.tileSlack; tCount[t] = 0; }
    this.packTiles(nt, false);
    if (this.nRap === this.neighRap && this.nPhi === this.neighPhi) return; // same grid as the last event
    this.neighRap = this.nRap; this.neighPhi = this.nPhi;
    for (let ir = 0; ir < this.nRap; ir++) for (let ip = 0; ip < this.nPhi; ip++) {
      const t = ir * this.nPhi + ip;
      for (let k = 0; k < 9; k++) {
        const r = ir + DI[k], f = (ip + DJ[k] + this.nPhi) % this.nPhi;
        this.neigh[9 * t + k] = r < 0 || r >= this.nRap ? -1 : r * this.nPhi + f;
      }
    }
  }

  /** Lays the tiles out one after another with capacities tCap, moving their contents when `keep`. */
  private packTiles(nt: number, keep: boolean): void {
    const { tStart, tCount, tCap } = this;
    let size = 0;
    for (let t = 0; t < nt; t++) size += tCap[t];
    const oldId = this.tId, oldD = this.tD;
    if (keep || this.tId.length < size) {
      const m = keep ? Math.max(size, this.tId.length) : Math.max(size, 2 * this.tId.length);
      this.tId = new Int32Array(m); this.tD = new Float64Array(STRIDE * m);
    }
    let at = 0;
    for (let t = 0; t < nt; t++) {
      if (keep) {
        const from = tStart[t], n = tCount[t];
        this.tId.set(oldId.subarray(from, from + n), at);
        this.tD.set(oldD.subarray(STRIDE * from, STRIDE * (from + n)), STRIDE * at);
        for (let e = at; e < at + n; e++) this.tPos[this.tId[e]] = e;
      }
      tStart[t] = at;
      at += tCap[t];
    }
  }

  private addToTile(x: number): void {
    const t = this.tileIndex(this.rap[x], this.phi[x]);
    if (this.tCount[t] === this.tCap[t]) {
      // Full (rare: merged jets piling into one tile): double it and re-pack every tile.
      this.tCap[t] = Math.max(TILE_SLACK, 2 * this.tCap[t]);
      this.packTiles(this.nRap * this.nPhi, true);
    }
    const e = this.tStart[t] + this.tCount[t]++, o = STRIDE * e;
    this.tileOf[x] = t; this.tPos[x] = e; this.tId[e] = x;
    const tD = this.tD;
    tD[o] = this.rap[x]; tD[o + 1] = this.phi[x]; tD[o + 2] = this.R2; tD[o + 3] = -1;
    this.nn[x] = -1; this.rHead[x] = -1;
  }

  /** Set jet x's nearest neighbour (and the tile copy). */
  private setNN(x: number, j: number, d: number): void {
    const old = this.nn[x];
    if (old !== j) {
      if (old >= 0) this.unlink(x, old);
      if (j >= 0) {
        const h = this.rHead[j];
        this.rNext[x] = h; this.rPrev[x] = -1;
        if (h >= 0) this.rPrev[h] = x;
        this.rHead[j] = x;
      }
    }
    this.nn[x] = j; this.nnDist[x] = d;
    const o = STRIDE * this.tPos[x];
    this.tD[o + 2] = d; this.tD[o + 3] = j;
  }

  /** Take x off the list of the jets whose NN is `of`. */
  private unlink(x: number, of: number): void {
    const p = this.rPrev[x], q = this.rNext[x];
    if (p >= 0) this.rNext[p] = q; else this.rHead[of] = q;
    if (q >= 0) this.rPrev[q] = p;
  }

  private removeJet(x: number): void {
    if (this.nn[x] >= 0) this.unlink(x, this.nn[x]);
    const t = this.tileOf[x], e = this.tPos[x], last = this.tStart[t] + --this.tCount[t];
    if (e !== last) {
      const m = this.tId[last], tD = this.tD, o = STRIDE * e, ol = STRIDE * last;
      this.tId[e] = m; this.tPos[m] = e;
      tD[o] = tD[ol]; tD[o + 1] = tD[ol + 1]; tD[o + 2] = tD[ol + 2]; tD[o + 3] = tD[ol + 3];
    }
    const pos = this.livePos[x], lp = --this.nLive;
    const lb = lp >> BLOCK_SHIFT;
    if (this.blockArg[lb] === lp) this.rescanBlock(lb); // the last slot leaves its block
    if (pos !== lp) {
      const m = this.live[lp];
      this.live[pos] = m; this.livePos[m] = pos;
      this.setDiJ(pos, this.liveDiJ[lp]);
    }
  }

  /** diJ of live slot s, keeping its block's minimum. */
  private setDiJ(s: number, v: number): void {
    this.liveDiJ[s] = v;
    const blk = s >> BLOCK_SHIFT;
    if (v < this.blockMin[blk]) { this.blockMin[blk] = v; this.blockArg[blk] = s; }
    else if (this.blockArg[blk] === s) this.rescanBlock(blk);
  }

  /** Recompute block blk's minimum over its live slots (first slot wins ties). */
  private rescanBlock(blk: number): void {
    const dl = this.liveDiJ;
    const from = blk << BLOCK_SHIFT, to = Math.min(this.nLive, from + BLOCK);
    let m = Infinity, arg = from;
    for (let s = from; s < to; s++) if (dl[s] < m) { m = dl[s]; arg = s; }
    this.blockMin[blk] = m; this.blockArg[blk] = arg;
  }

  private setKinematics(x: number): void {
    const k2 = this.kt2[x];
    this.rap[x] = rapidityOf(this.pz[x], this.E[x], k2);
    this.phi[x] = phi02pi(this.px[x], this.py[x], k2);
    this.scale[x] = this.jetScale(k2);
  }

  private updateDiJ(x: number): void {
    const b = this.nn[x];
    let sc = this.scale[x];
    if (b >= 0 && this.scale[b] < sc) sc = this.scale[b];
    this.setDiJ(this.livePos[x], this.nnDist[x] * sc);
  }

  /**
   * b[k] = lower bound on DeltaR^2 from jet x to neighbour tile k (1..8; offsets DI, DJ): from the
   * distances to its tile's edges, less a margin so that rounding never prunes a true neighbour.
   */
  private tileBounds(x: number, b: Float64Array): void {
    const t = this.tileOf[x], ir = (t / this.nPhi) | 0, ip = t - ir * this.nPhi;
    const y = this.rap[x], f = this.phi[x];
    const rLo = this.rapMin + ir * this.sizeRap, pLo = ip * this.sizePhi;
    let d = y - rLo - TILE_EPS;
    const rl = d > 0 ? d * d : 0;
    d = rLo + this.sizeRap - y - TILE_EPS;
    const rh = d > 0 ? d * d : 0;
    d = f - pLo - TILE_EPS;
    const pl = d > 0 ? d * d : 0;
    d = pLo + this.sizePhi - f - TILE_EPS;
    const ph = d > 0 ? d * d : 0;
    b[0] = 0; b[1] = rl + pl; b[2] = rl; b[3] = rl + ph; b[4] = pl; b[5] = ph; b[6] = rh + pl; b[7] = rh; b[8] = rh + ph;
  }

  /**
   * Nearest neighbour of x strictly closer than R: the nearby tiles that can hold one, from
   * neighbour index `fromK` (1: own tile already searched), starting from the candidate
   * (bestJ, best) (-1, R^2 for none).
   */
  private findNN(x: number, fromK: number, bestJ: number, best: number): void {
    const { tId, tD, tStart, tCount, neigh } = this;
    const y = this.rap[x], f = this.phi[x], t0 = this.tileOf[x];
    const bounds = this.boundsNN;
    this.tileBounds(x, bounds);
    for (let k = fromK; k < 9; k++) {
      const t = neigh[9 * t0 + k];
      if (t < 0 || bounds[k] >= best) continue;
      for (let e = tStart[t], end = e + tCount[t]; e < end; e++) {
        const o = STRIDE * e;
        let dphi = Math.abs(f - tD[o + 1]);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = y - tD[o];
        const d = dphi * dphi + drap * drap;
        if (d < best && tId[e] !== x) { best = d; bestJ = tId[e]; }
      }
    }
    this.setNN(x, bestJ, best);
    this.updateDiJ(x);
    if (best > this.tMaxNN[t0]) this.tMaxNN[t0] = best;
  }

  /** Initial NNs: pairs within a tile once each (both ends updated), then the neighbour tiles per jet. */
  private initNN(): void {
    const { tId, tD, tStart, tCount, nn, nnDist } = this;
    const nt = this.nRap * this.nPhi, R2 = this.R2;
    for (let t = 0; t < nt; t++) {
      const base = tStart[t], end = base + tCount[t];
      for (let e1 = base; e1 < end; e1++) { nn[tId[e1]] = -1; nnDist[tId[e1]] = R2; }
      for (let e1 = base; e1 < end; e1++) {
        const i = tId[e1], o1 = STRIDE * e1, y = tD[o1], f = tD[o1 + 1];
        let bi = nnDist[i], bj = nn[i];
        for (let e2 = e1 + 1; e2 < end; e2++) {
          const o2 = STRIDE * e2;
          let dphi = Math.abs(f - tD[o2 + 1]);
          if (dphi > PI) dphi = TWOPI - dphi;
          const drap = y - tD[o2];
          const d = dphi * dphi + drap * drap;
          if (d < bi) { bi = d; bj = tId[e2]; }
          if (d < nnDist[tId[e2]]) { const j = tId[e2]; nnDist[j] = d; nn[j] = i; }
        }
        nnDist[i] = bi; nn[i] = bj;
      }
    }
    // nn[] now holds own-tile candidates, not yet linked in rHead: clear before setNN links the final ones.
    for (let k = 0; k < this.nParticles; k++) {
      const j = nn[k];
      nn[k] = -1;
      this.findNN(k, 1, j, nnDist[k]);
    }
  }

  /**
   * Start a clustering of `count` particles, particle k having four-momentum fm[idx[k]] (idx
   * omitted: fm[k]); p is the generalised-kt exponent, R the radius.
   */
  init(fm: FourMomenta, count: number, p: number, R: number, idx?: ArrayLike<number>): void {
    this.grow(count);
    this.startJets(fm, count, p, R, idx);
    for (let k = 0; k < count; k++) {
      this.live[k] = k; this.livePos[k] = k; this.liveDiJ[k] = Infinity;
      this.setKinematics(k);
    }
    this.blockMin.fill(Infinity, 0, (count >> BLOCK_SHIFT) + 1);
    this.blockArg.fill(0, 0, (count >> BLOCK_SHIFT) + 1);
    this.setupTiles(count, Math.max(0.1, R));
    for (let k = 0; k < count; k++) this.addToTile(k);
    this.initNN();
  }

  step(): boolean {
    const n = this.nLive;
    if (n === 0) return false;
    const bm = this.blockMin, nb = ((n - 1) >> BLOCK_SHIFT) + 1;
    let bmin = 0, dmin = bm[0];
    for (let k = 1; k < nb; k++) if (bm[k] < dmin) { dmin = bm[k]; bmin = k; }
    const a = this.live[this.blockArg[bmin]], b = this.nn[a];
    this.removeJet(a);
    if (b < 0) {
      // Beam step. No live jet can have a as NN: its distance to a would be < R, giving a a NN.
      this.toBeam(a);
      return true;
    }
    this.removeJet(b);
    const c = this.recombine(a, b);
    this.setKinematics(c);
    this.addToTile(c);
    this.live[this.nLive] = c; this.livePos[c] = this.nLive; this.liveDiJ[this.nLive++] = Infinity; // set by afterMerge
    this.afterMerge(a, b, c);
    return true;
  }

  /** Neighbour bookkeeping after a and b merged into c (FastJet's N2 update, restricted to nearby tiles). */
  private afterMerge(a: number, b: number, c: number): void {
    const { tId, tD, tStart, tCount, neigh, tMaxNN, rap, phi } = this;
    const yc = rap[c], fc = phi[c], t0 = this.tileOf[c];
    let best = this.R2, bestJ = -1;
    // c's nearest neighbour, and the jets for which c is now nearer than their NN.
    const bounds = this.boundsMerge;
    this.tileBounds(c, bounds);
    for (let k = 0; k < 9; k++) {
      const t = neigh[9 * t0 + k];
      if (t < 0 || tCount[t] === 0) continue;
      const bd = bounds[k];
      if (bd >= best && bd >= tMaxNN[t] && k > 0) continue;
      let mx = 0; // the tile's exact max NN distance once scanned: tightens tMaxNN
      for (let e = tStart[t], end = e + tCount[t]; e < end; e++) {
        const o = STRIDE * e;
        let dphi = Math.abs(fc - tD[o + 1]);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = yc - tD[o];
        const d = dphi * dphi + drap * drap;
        let nd = tD[o + 2];
        if (d < nd || d < best) {
          const j = tId[e];
          if (j !== c) {
            if (d < best) { best = d; bestJ = j; }
            if (d < nd) {
              const nj = tD[o + 3];
              if (nj !== a && nj !== b) { this.setNN(j, c, d); nd = d; this.updateDiJ(j); }
            }
          } else continue; // c itself: its NN distance is set below
        }
        if (nd > mx) mx = nd;
      }
      tMaxNN[t] = mx;
    }
    this.setNN(c, bestJ, best); this.updateDiJ(c);
    if (best > tMaxNN[t0]) tMaxNN[t0] = best;
    // Jets whose NN was a or b (they were skipped above): collected first, as finding their new
    // NN takes them off these lists. Each search reads only live jets, so the order is immaterial.
    const orphans = this.orphans, rNext = this.rNext;
    let n = 0;
    for (let x = this.rHead[a]; x >= 0; x = rNext[x]) orphans[n++] = x;
    for (let x = this.rHead[b]; x >= 0; x = rNext[x]) orphans[n++] = x;
    for (let i = 0; i < n; i++) this.recomputeNN(orphans[i], c);
  }

  /**
   * New NN of j, whose NN merged into c: c is usually the new one, so start from it (prunes more
   * tiles). When c is strictly closer than j's old NN, no search is needed: every other live jet
   * was at least that far (nnDist is the exact minimum), so c is the unique nearest.
   */
  private recomputeNN(j: number, c: number): void {
    let dphi = Math.abs(this.phi[j] - this.phi[c]);
    if (dphi > PI) dphi = TWOPI - dphi;
    const drap = this.rap[j] - this.rap[c];
    const d = dphi * dphi + drap * drap;
    if (d < this.nnDist[j]) { this.setNN(j, c, d); this.updateDiJ(j); } // d < old nnDist <= tMaxNN of j's tile
    else if (d < this.R2) this.findNN(j, 0, c, d);
    else this.findNN(j, 0, -1, this.R2);
  }

  liveJet(s: number): number {
    return this.live[s];
  }
}
