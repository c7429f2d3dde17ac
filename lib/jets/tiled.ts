/**
 * Tiled generalised-kt clustering: the same sequence of recombinations as genkt.ts (and FastJet),
 * found faster. The rapidity-azimuth plane is cut into tiles at least R wide, so a jet's neighbours
 * within R lie in its own and the 8 surrounding tiles; tiles farther than the current best distance
 * are skipped (FastJet's "lazy" N2MHTLazy9 idea), using per-tile upper bounds on the jets' NN distances.
 *
 * Merge decisions use the same formulas as FastJet (rap, phi in [0, 2pi), DeltaR^2, diJ = NN_dist *
 * min(scale)), so every comparison gives the same answer; only exactly equal distances may be broken
 * in a different order than FastJet's tiled strategies (a measure-zero event for real data).
 * Jets are addressed by stable ids (particles 0..n-1, merged jets after); state is in flat typed
 * arrays reused across events.
 */
import { FourMomenta, kt2Of, phi02pi, rapidityOf } from "./pseudojet";

const PI = Math.PI;
const TWOPI = 2 * Math.PI;
/** Tile-distance safety margin: tile bounds are lower bounds, shrunk so rounding never prunes a true neighbour. */
const TILE_EPS = 1e-9;
/** Rapidities beyond this do not stretch the tiling (FastJet's choice), they fall in the edge tiles. */
const TILING_MAX_RAP = 7.0;
/**
 * Tiles are R/TILE_DIVISIONS wide (R/2: 5x5 neighbourhoods of smaller tiles, most of them skipped
 * by distance, beat FastJet's 3x3 tiles of size R for LHCO events; measured with bench/cluster.ts).
 */
const TILE_DIVISIONS = 1;

/** Offsets (rapidity, azimuth) of the (2m+1)^2 tiles around a tile, own tile first, nearer rings first. */
function neighbourOffsets(m: number): { di: Int8Array; dj: Int8Array } {
  const list: [number, number][] = [];
  for (let i = -m; i <= m; i++) for (let j = -m; j <= m; j++) list.push([i, j]);
  list.sort((x, y) => Math.max(Math.abs(x[0]), Math.abs(x[1])) - Math.max(Math.abs(y[0]), Math.abs(y[1])) || Math.abs(x[0]) + Math.abs(x[1]) - Math.abs(y[0]) - Math.abs(y[1]));
  return { di: Int8Array.from(list.map((o) => o[0])), dj: Int8Array.from(list.map((o) => o[1])) };
}

export class TiledGenKtClusterer {
  private cap = 0;
  // Per jet id (particles 0..n-1, merged jets n..2n-2), capacity 2*cap.
  px = new Float64Array(0);
  py = new Float64Array(0);
  pz = new Float64Array(0);
  E = new Float64Array(0);
  kt2 = new Float64Array(0);
  private hist = new Int32Array(0);
  private cFirst = new Int32Array(0);
  private cLast = new Int32Array(0);
  private cNext = new Int32Array(0);
  private rap = new Float64Array(0);
  private phi = new Float64Array(0);
  private scale = new Float64Array(0);
  private nnDist = new Float64Array(0);
  private nn = new Int32Array(0);
  private tileOf = new Int32Array(0);
  /** Position of a live jet in its tile's arrays and in the live arrays. */
  private tPos = new Int32Array(0);
  private livePos = new Int32Array(0);
  /** Live jets, densely packed: id and diJ (contiguous, for a fast minimum search). */
  private live = new Int32Array(0);
  private liveDiJ = new Float64Array(0);
  beamJets = new Int32Array(0);
  nBeam = 0;
  nParticles = 0;
  nJets = 0;
  nLive = 0;
  private nHist = 0;
  private p = -1;
  private R2 = 1;
  // Tiling: nRap x nPhi tiles; tile t holds tCount[t] jets at [t*tileCap, ...) of tId/tRap/tPhi.
  private nRap = 1;
  private nPhi = 3;
  private rapMin = 0;
  private sizeRap = 1;
  private sizePhi = TWOPI / 3;
  private tileCap = 0;
  private tCount = new Int32Array(0);
  private tId = new Int32Array(0);
  private tRap = new Float64Array(0);
  private tPhi = new Float64Array(0);
  /** Copies of nn/nnDist aligned with tId, so tile scans read contiguous memory. */
  private tNN = new Int32Array(0);
  private tNNDist = new Float64Array(0);
  /** Upper bound on nnDist of the jets in each tile (lets whole tiles be skipped). */
  private tMaxNN = new Float64Array(0);
  private tStamp = new Int32Array(0);
  private stamp = 0;
  /** K = (2m+1)^2 neighbour tiles per tile, own tile first, -1 where absent (beyond the rapidity edges). */
  private neigh = new Int32Array(0);
  private m = 1;
  private K = 9;
  private DI = neighbourOffsets(1).di;
  private DJ = neighbourOffsets(1).dj;
  /** Squared distances from a jet to its tile's 4 sides (minus a safety margin): for findNN, and for afterMerge's scans. */
  private sideNN = new Float64Array(4);
  private sideMerge = new Float64Array(4);

  private grow(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, 2 * this.cap, 64), j = 2 * cap;
    this.px = new Float64Array(j); this.py = new Float64Array(j); this.pz = new Float64Array(j); this.E = new Float64Array(j);
    this.kt2 = new Float64Array(j); this.hist = new Int32Array(j); this.cFirst = new Int32Array(j); this.cLast = new Int32Array(j);
    this.rap = new Float64Array(j); this.phi = new Float64Array(j); this.scale = new Float64Array(j); this.nnDist = new Float64Array(j);
    this.nn = new Int32Array(j); this.tileOf = new Int32Array(j); this.tPos = new Int32Array(j); this.livePos = new Int32Array(j);
    this.cNext = new Int32Array(cap); this.beamJets = new Int32Array(cap); this.live = new Int32Array(cap); this.liveDiJ = new Float64Array(cap);
    this.cap = cap;
  }

  private jetScale(kt2: number): number {
    const p = this.p;
    if (p === -1) return kt2 > 1e-300 ? 1.0 / kt2 : 1e300;
    if (p === 1) return kt2;
    if (p === 0) return 1.0;
    return Math.pow(p <= 0 && kt2 < 1e-300 ? 1e-300 : kt2, p);
  }

  private setupTiles(count: number, R: number): void {
    // Tiles R/m wide with m = TILE_DIVISIONS, or a single division when R is so large that the
    // azimuth holds fewer than 2m+1 tiles (the neighbourhood then spans all azimuths anyway).
    const m = TWOPI / (Math.max(0.1, R) / TILE_DIVISIONS) >= 2 * TILE_DIVISIONS + 1 ? TILE_DIVISIONS : 1;
    if (m !== this.m) {
      const o = neighbourOffsets(m);
      this.m = m; this.K = o.di.length; this.DI = o.di; this.DJ = o.dj;
    }
    const size = Math.max(0.1, R) / m;
    let lo = 0, hi = 0; // the tiling always includes rapidity 0
    for (let k = 0; k < count; k++) {
      const y = this.rap[k];
      if (Math.abs(y) < TILING_MAX_RAP) { if (y < lo) lo = y; if (y > hi) hi = y; }
    }
    const iLo = Math.floor(lo / size), iHi = Math.floor(hi / size);
    this.sizeRap = size; this.rapMin = iLo * size; this.nRap = iHi - iLo + 1;
    this.nPhi = Math.max(2 * m + 1, Math.floor(TWOPI / size)); this.sizePhi = TWOPI / this.nPhi;
    const nt = this.nRap * this.nPhi, K = this.K;
    if (this.tCount.length < nt || this.tileCap < this.cap || this.neigh.length < K * nt) {
      const ntc = Math.max(nt, this.tCount.length);
      this.tileCap = this.cap;
      this.tCount = new Int32Array(ntc); this.tMaxNN = new Float64Array(ntc); this.tStamp = new Int32Array(ntc); this.neigh = new Int32Array(K * ntc);
      const m = ntc * this.tileCap;
      this.tId = new Int32Array(m); this.tRap = new Float64Array(m); this.tPhi = new Float64Array(m);
      this.tNN = new Int32Array(m); this.tNNDist = new Float64Array(m);
    }
    this.tCount.fill(0, 0, nt); this.tMaxNN.fill(0, 0, nt); this.tStamp.fill(0, 0, nt); this.stamp = 0;
    for (let ir = 0; ir < this.nRap; ir++) for (let ip = 0; ip < this.nPhi; ip++) {
      const t = ir * this.nPhi + ip;
      for (let k = 0; k < K; k++) {
        const r = ir + this.DI[k], f = (ip + this.DJ[k] + this.nPhi) % this.nPhi;
        this.neigh[K * t + k] = r < 0 || r >= this.nRap ? -1 : r * this.nPhi + f;
      }
    }
  }

  private addToTile(x: number): void {
    let ir = Math.floor((this.rap[x] - this.rapMin) / this.sizeRap);
    if (ir < 0) ir = 0; else if (ir >= this.nRap) ir = this.nRap - 1;
    let ip = Math.floor(this.phi[x] / this.sizePhi);
    if (ip >= this.nPhi) ip = this.nPhi - 1;
    const t = ir * this.nPhi + ip, q = this.tCount[t]++, at = t * this.tileCap + q;
    this.tileOf[x] = t; this.tPos[x] = q;
    this.tId[at] = x; this.tRap[at] = this.rap[x]; this.tPhi[at] = this.phi[x];
    this.tNN[at] = -1; this.tNNDist[at] = this.R2;
  }

  /** Set jet x's nearest neighbour (and the tile copy). */
  private setNN(x: number, j: number, d: number): void {
    this.nn[x] = j; this.nnDist[x] = d;
    const at = this.tileOf[x] * this.tileCap + this.tPos[x];
    this.tNN[at] = j; this.tNNDist[at] = d;
  }

  private removeJet(x: number): void {
    const t = this.tileOf[x], base = t * this.tileCap, q = this.tPos[x], last = --this.tCount[t];
    if (q !== last) {
      const m = this.tId[base + last];
      this.tId[base + q] = m; this.tRap[base + q] = this.tRap[base + last]; this.tPhi[base + q] = this.tPhi[base + last];
      this.tNN[base + q] = this.tNN[base + last]; this.tNNDist[base + q] = this.tNNDist[base + last];
      this.tPos[m] = q;
    }
    const pos = this.livePos[x], lp = --this.nLive;
    if (pos !== lp) {
      const m = this.live[lp];
      this.live[pos] = m; this.liveDiJ[pos] = this.liveDiJ[lp]; this.livePos[m] = pos;
    }
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
    this.liveDiJ[this.livePos[x]] = this.nnDist[x] * sc;
  }

  /** s = distances from jet x to the 4 sides of its tile (rapidity low/high, azimuth low/high), less a safety margin. */
  private computeSides(x: number, s: Float64Array): void {
    const t = this.tileOf[x], ir = (t / this.nPhi) | 0, ip = t - ir * this.nPhi;
    const y = this.rap[x], f = this.phi[x];
    const rLo = this.rapMin + ir * this.sizeRap, pLo = ip * this.sizePhi;
    s[0] = y - rLo - TILE_EPS;
    s[1] = rLo + this.sizeRap - y - TILE_EPS;
    s[2] = f - pLo - TILE_EPS;
    s[3] = pLo + this.sizePhi - f - TILE_EPS;
  }

  /** Lower bound on DeltaR^2 from the jet whose sides are s to neighbour tile k. */
  private bound(k: number, s: Float64Array): number {
    const di = this.DI[k], dj = this.DJ[k];
    let dr = di < 0 ? s[0] + (-di - 1) * this.sizeRap : di > 0 ? s[1] + (di - 1) * this.sizeRap : 0;
    let dp = dj < 0 ? s[2] + (-dj - 1) * this.sizePhi : dj > 0 ? s[3] + (dj - 1) * this.sizePhi : 0;
    if (dr < 0) dr = 0;
    if (dp < 0) dp = 0;
    return dr * dr + dp * dp;
  }

  /**
   * Nearest neighbour of x strictly closer than R, searching the nearby tiles that can hold one:
   * from neighbour index `fromK` (0: own tile first; 1: own tile already searched), starting from
   * the candidate (bestJ, best) (-1, R^2 for none).
   */
  private findNN(x: number, fromK: number, bestJ: number, best: number): void {
    const { tId, tRap, tPhi, tCount, neigh } = this;
    const y = this.rap[x], f = this.phi[x], t0 = this.tileOf[x], tc = this.tileCap;
    const sides = this.sideNN;
    this.computeSides(x, sides);
    for (let k = fromK, K = this.K; k < K; k++) {
      const t = neigh[K * t0 + k];
      if (t < 0 || tCount[t] === 0 || (k > 0 && this.bound(k, sides) >= best)) continue;
      for (let at = t * tc, end = at + tCount[t]; at < end; at++) {
        let dphi = Math.abs(f - tPhi[at]);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = y - tRap[at];
        const d = dphi * dphi + drap * drap;
        if (d < best && tId[at] !== x) { best = d; bestJ = tId[at]; }
      }
    }
    this.setNN(x, bestJ, best);
    this.updateDiJ(x);
    if (best > this.tMaxNN[t0]) this.tMaxNN[t0] = best;
  }

  /** Initial NNs: pairs within a tile once each (both ends updated), then the neighbour tiles per jet. */
  private initNN(): void {
    const { tId, tRap, tPhi, tCount, nn, nnDist } = this;
    const tc = this.tileCap, nt = this.nRap * this.nPhi, R2 = this.R2;
    for (let t = 0; t < nt; t++) {
      const base = t * tc, end = base + tCount[t];
      for (let a1 = base; a1 < end; a1++) { nn[tId[a1]] = -1; nnDist[tId[a1]] = R2; }
      for (let a1 = base; a1 < end; a1++) {
        const i = tId[a1], y = tRap[a1], f = tPhi[a1];
        let bi = nnDist[i], bj = nn[i];
        for (let a2 = a1 + 1; a2 < end; a2++) {
          let dphi = Math.abs(f - tPhi[a2]);
          if (dphi > PI) dphi = TWOPI - dphi;
          const drap = y - tRap[a2];
          const d = dphi * dphi + drap * drap;
          if (d < bi) { bi = d; bj = tId[a2]; }
          const j = tId[a2];
          if (d < nnDist[j]) { nnDist[j] = d; nn[j] = i; }
        }
        nnDist[i] = bi; nn[i] = bj;
      }
    }
    for (let k = 0; k < this.nParticles; k++) this.findNN(k, 1, nn[k], nnDist[k]);
  }

  init(fm: FourMomenta, count: number, p: number, R: number, idx?: ArrayLike<number>): void {
    this.grow(count);
    this.p = p; this.R2 = R * R;
    this.nParticles = count; this.nJets = count; this.nHist = count; this.nLive = count; this.nBeam = 0;
    for (let k = 0; k < count; k++) {
      const i = idx ? idx[k] : k;
      const x = fm.px[i], y = fm.py[i];
      this.px[k] = x; this.py[k] = y; this.pz[k] = fm.pz[i]; this.E[k] = fm.E[i];
      this.kt2[k] = kt2Of(x, y);
      this.hist[k] = k; this.cFirst[k] = k; this.cLast[k] = k; this.cNext[k] = -1;
      this.live[k] = k; this.livePos[k] = k;
      this.setKinematics(k);
    }
    this.setupTiles(count, R);
    for (let k = 0; k < count; k++) this.addToTile(k);
    this.initNN();
  }

  step(): boolean {
    const n = this.nLive;
    if (n === 0) return false;
    const dl = this.liveDiJ;
    let amin = 0, dmin = dl[0];
    for (let s = 1; s < n; s++) if (dl[s] < dmin) { dmin = dl[s]; amin = s; }
    const a = this.live[amin], b = this.nn[a];
    this.removeJet(a);
    if (b < 0) {
      // Beam step. No live jet can have a as NN: its distance to a would be < R, giving a a NN.
      this.beamJets[this.nBeam++] = a;
      this.nHist++;
      return true;
    }
    this.removeJet(b);
    const c = this.recombine(a, b);
    this.setKinematics(c);
    this.addToTile(c);
    this.live[this.nLive] = c; this.livePos[c] = this.nLive++;
    this.afterMerge(a, b, c);
    return true;
  }

  /** Neighbour bookkeeping after a and b merged into c (FastJet's N2 update, restricted to nearby tiles). */
  private afterMerge(a: number, b: number, c: number): void {
    const { tId, tRap, tPhi, tCount, neigh, nn, nnDist, tMaxNN, tStamp, tNN, tNNDist, rap, phi } = this;
    const tc = this.tileCap, yc = this.rap[c], fc = this.phi[c], t0 = this.tileOf[c];
    let best = this.R2, bestJ = -1;
    // c's nearest neighbour, and the jets for which c is now nearer than their NN.
    const sides = this.sideMerge;
    this.computeSides(c, sides);
    for (let k = 0, K = this.K; k < K; k++) {
      const t = neigh[K * t0 + k];
      if (t < 0 || tCount[t] === 0) continue;
      if (k > 0) {
        const bd = this.bound(k, sides);
        if (bd >= best && bd >= tMaxNN[t]) continue;
      }
      let mx = 0; // the tile's exact max NN distance once scanned (tightens tMaxNN)
      for (let at = t * tc, end = at + tCount[t]; at < end; at++) {
        const j = tId[at];
        if (j === c) continue;
        let dphi = Math.abs(fc - tPhi[at]);
        if (dphi > PI) dphi = TWOPI - dphi;
        const drap = yc - tRap[at];
        const d = dphi * dphi + drap * drap;
        if (d < best) { best = d; bestJ = j; }
        let nd = tNNDist[at];
        if (d < nd) {
          const nj = tNN[at];
          if (nj !== a && nj !== b) { nnDist[j] = d; nn[j] = c; tNNDist[at] = d; tNN[at] = c; nd = d; this.updateDiJ(j); }
        }
        if (nd > mx) mx = nd;
      }
      tMaxNN[t] = mx;
    }
    this.setNN(c, bestJ, best); this.updateDiJ(c);
    if (best > tMaxNN[t0]) tMaxNN[t0] = best;
    // Jets whose NN was a or b: at their NN distance from it, so in tiles around a or b whose
    // bound on NN distances reaches it. a and b keep their tile and coordinates after removal.
    const st = ++this.stamp;
    for (let w = 0; w < 2; w++) {
      const x = w === 0 ? a : b, K = this.K, base = K * this.tileOf[x];
      this.computeSides(x, sides); // findNN below uses its own sides array
      for (let k = 0; k < K; k++) {
        const t = neigh[base + k];
        if (t < 0 || tStamp[t] === st || tCount[t] === 0) continue;
        if (k > 0 && this.bound(k, sides) > tMaxNN[t]) continue;
        tStamp[t] = st;
        for (let at = t * tc, end = at + tCount[t]; at < end; at++) {
          const x2 = tNN[at];
          if (x2 === a || x2 === b) {
            // Start from c, usually the new nearest (it absorbed the old one): prunes more tiles.
            const j = tId[at];
            let dphi = Math.abs(phi[j] - fc);
            if (dphi > PI) dphi = TWOPI - dphi;
            const drap = rap[j] - yc;
            const d = dphi * dphi + drap * drap;
            if (d < this.R2) this.findNN(j, 0, c, d);
            else this.findNN(j, 0, -1, this.R2);
          }
        }
      }
    }
  }

  private recombine(i: number, j: number): number {
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

  runUntil(nStop: number): void {
    while (this.nLive > nStop) this.step();
  }

  liveJet(s: number): number {
    return this.live[s];
  }

  constituentsOf(k: number, out: number[], map?: ArrayLike<number>): number[] {
    for (let c = this.cFirst[k]; c >= 0; c = this.cNext[c]) {
      out.push(map ? map[c] : c);
      if (c === this.cLast[k]) break;
    }
    return out;
  }
}
