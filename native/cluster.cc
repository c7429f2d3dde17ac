// hepllm's native jet clustering: lib/jets/tiled.ts (tiled generalised-kt, FastJet-exact) in C++,
// one N-API call per event, writing into the caller's ClusterSequence arrays (lib/jets/sequence.ts)
// so that everything after clustering (pT cut, sort, constituents, Jet objects) stays in TypeScript.
//
// Same formulas, comparisons, tie rules and history order as tiled.ts, line for line: rapidity and
// azimuth in [0, 2pi) as FastJet's PseudoJet (std::log, std::atan2: glibc, as the FastJet
// reference), DeltaR^2 = dphi^2 + drap^2, diJ = nnDist * min(scale), E-scheme sums,
// kt^2 = px^2 + py^2. Built with -ffp-contract=off (scripts/build-native.js): no fused
// multiply-adds, so every rounding is FastJet's. Jet ids: particles 0..n-1, merged jets after.
// Why native: the JS port loses most of its time to JIT overhead around the tile scans; the same
// work here takes ~0.55x of it, ~0.9x FastJet's time per LHCO event (issue 15, item 3; bench:cluster).
// Built without a BLAS (-DHEPLLM_CLUSTER_ONLY), this file also holds the addon's module entry.
//
// Exports (and ktAxes, native/kt-axes.cc):
//   clusterGenKt(f64, i32, cap, count, p, R, tileSlack) -> nBeam
//     f64: Float64Array of >= 10*cap doubles: px, py, pz, E, kt2 per jet id, each 2*cap long, in
//          that order [GeV, GeV^2]. i32: Int32Array of >= 8*cap: hist, cFirst, cLast (2*cap each),
//          cNext, beamJets (cap each). The caller fills entries 0..count-1 of px..E, kt2, hist,
//          cFirst, cLast, cNext (sequence.ts startJets); this clusters to completion (inclusive)
//          with exponent p (-1 anti-kt, 0 C/A, 1 kt) and radius R, fills the merged jets'
//          entries, cNext links, and beamJets[0..nBeam), and returns nBeam. tileSlack: free
//          entries per tile (tiled.ts's constructor argument). State is per thread (worker_threads).
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "pseudojet.h"
#include "typed-array.h"

namespace {

using pseudojet::MAX_RAP;
using pseudojet::PI;
using pseudojet::Phi02pi;
using pseudojet::RapidityOf;
using pseudojet::TWOPI;

constexpr double TILE_EPS = 1e-9;            // tiled.ts: tile bounds shrunk so rounding never prunes a neighbour
constexpr double TILING_MAX_RAP = 7.0;       // rapidities beyond this do not stretch the tiling
constexpr double INF = std::numeric_limits<double>::infinity();
constexpr int BLOCK_SHIFT = 4;               // live slots per block of the minimum search (log2)
constexpr int BLOCK = 1 << BLOCK_SHIFT;
constexpr int DI[9] = {0, -1, -1, -1, 0, 0, 1, 1, 1};  // neighbour tile offsets, own tile first
constexpr int DJ[9] = {0, -1, 0, 1, -1, 1, -1, 0, 1};

/** One jet in the tile storage: tiled.ts's tD (rap, phi, nnDist, nn) and tId, side by side. */
struct Entry {
  double rap, phi, nnDist;
  int32_t nn, id;
};

template <typename T>
void Ensure(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

class Tiled {
 public:
  int Run(double* f64, int32_t* i32, int cap, int count, double p, double R, int tileSlack);

 private:
  // The caller's arrays (sequence.ts), per jet id.
  double *px_, *py_, *pz_, *E_, *kt2_;
  int32_t *hist_, *cFirst_, *cLast_, *cNext_, *beamJets_;
  int nParticles_ = 0, nJets_ = 0, nLive_ = 0, nHist_ = 0, nBeam_ = 0;
  double p_ = -1, R2_ = 1;
  int tileSlack_ = 4;

  // Per jet id (2*count).
  std::vector<double> rap_, phi_, scale_, nnDist_;
  std::vector<int32_t> nn_, rHead_, rNext_, rPrev_, tileOf_, tPos_, livePos_;
  // Per live slot (count), and the blocks of the minimum search.
  std::vector<int32_t> orphans_, live_;
  std::vector<double> liveDiJ_, blockMin_;
  std::vector<int32_t> blockArg_;
  // Tiling.
  int nRap_ = 1, nPhi_ = 3;
  double rapMin_ = 0, sizeRap_ = 1, sizePhi_ = TWOPI / 3;
  std::vector<int32_t> tStart_, tCount_, tCap_, neigh_;
  std::vector<double> tMaxNN_;
  std::vector<Entry> tE_;
  size_t tLen_ = 0;  // entries in use by the packing (tiled.ts's tId.length)
  int neighRap_ = -1, neighPhi_ = -1;
  double boundsNN_[9], boundsMerge_[9];

  double JetScale(double kt2) const {
    if (p_ == -1) return kt2 > 1e-300 ? 1.0 / kt2 : 1e300;
    if (p_ == 1) return kt2;
    if (p_ == 0) return 1.0;
    return std::pow(p_ <= 0 && kt2 < 1e-300 ? 1e-300 : kt2, p_);
  }

  int TileIndex(double y, double f) const {
    double r = std::floor((y - rapMin_) / sizeRap_);
    int ir = r < 0 ? 0 : (r >= nRap_ ? nRap_ - 1 : static_cast<int>(r));
    double q = std::floor(f / sizePhi_);
    int ip = q >= nPhi_ ? nPhi_ - 1 : static_cast<int>(q);
    return ir * nPhi_ + ip;
  }

  void SetupTiles(int count, double S);
  void PackTiles(int nt, bool keep);
  void AddToTile(int x);
  void SetNN(int x, int j, double d);
  void Unlink(int x, int of) {
    const int p = rPrev_[x], q = rNext_[x];
    if (p >= 0) rNext_[p] = q; else rHead_[of] = q;
    if (q >= 0) rPrev_[q] = p;
  }
  void RemoveJet(int x);
  void SetDiJ(int s, double v) {
    liveDiJ_[s] = v;
    const int blk = s >> BLOCK_SHIFT;
    if (v < blockMin_[blk]) { blockMin_[blk] = v; blockArg_[blk] = s; }
    else if (blockArg_[blk] == s) RescanBlock(blk);
  }
  void RescanBlock(int blk) {
    const double* dl = liveDiJ_.data();
    const int from = blk << BLOCK_SHIFT, to = std::min(nLive_, from + BLOCK);
    double m = INF;
    int arg = from;
    for (int s = from; s < to; s++) if (dl[s] < m) { m = dl[s]; arg = s; }
    blockMin_[blk] = m; blockArg_[blk] = arg;
  }
  void SetKinematics(int x) {
    const double k2 = kt2_[x];
    rap_[x] = RapidityOf(pz_[x], E_[x], k2);
    phi_[x] = Phi02pi(px_[x], py_[x], k2);
    scale_[x] = JetScale(k2);
  }
  void UpdateDiJ(int x) {
    const int b = nn_[x];
    double sc = scale_[x];
    if (b >= 0 && scale_[b] < sc) sc = scale_[b];
    SetDiJ(livePos_[x], nnDist_[x] * sc);
  }
  void TileBounds(int x, double* b) const;
  void FindNN(int x, int fromK, int bestJ, double best);
  void InitNN();
  bool Step();
  int Recombine(int i, int j);
  void AfterMerge(int a, int b, int c);
  void RecomputeNN(int j, int c);
};

void Tiled::SetupTiles(int count, double S) {
  double lo = INF, hi = -INF;
  for (int k = 0; k < count; k++) {
    const double y = rap_[k];
    if (std::fabs(y) < TILING_MAX_RAP) { if (y < lo) lo = y; if (y > hi) hi = y; }
  }
  if (!(lo <= hi)) lo = hi = 0;
  const double iLo = std::floor(lo / S), iHi = std::floor(hi / S);
  sizeRap_ = S; rapMin_ = iLo * S; nRap_ = static_cast<int>(iHi - iLo) + 1;
  nPhi_ = std::max(3, static_cast<int>(std::floor(TWOPI / S))); sizePhi_ = TWOPI / nPhi_;
  const int nt = nRap_ * nPhi_;
  if (static_cast<int>(tCount_.size()) < nt) {
    tCount_.resize(nt); tStart_.resize(nt); tCap_.resize(nt); tMaxNN_.resize(nt); neigh_.resize(9 * static_cast<size_t>(nt));
    neighRap_ = -1;
  }
  std::fill(tCount_.begin(), tCount_.begin() + nt, 0);
  std::fill(tMaxNN_.begin(), tMaxNN_.begin() + nt, 0.0);
  for (int k = 0; k < count; k++) {
    const int t = TileIndex(rap_[k], phi_[k]);
    tileOf_[k] = t;
    tCount_[t]++;
  }
  for (int t = 0; t < nt; t++) { tCap_[t] = tCount_[t] + tileSlack_; tCount_[t] = 0; }
  PackTiles(nt, false);
  if (nRap_ == neighRap_ && nPhi_ == neighPhi_) return;
  neighRap_ = nRap_; neighPhi_ = nPhi_;
  for (int ir = 0; ir < nRap_; ir++) for (int ip = 0; ip < nPhi_; ip++) {
    const int t = ir * nPhi_ + ip;
    for (int k = 0; k < 9; k++) {
      const int r = ir + DI[k], f = (ip + DJ[k] + nPhi_) % nPhi_;
      neigh_[9 * t + k] = r < 0 || r >= nRap_ ? -1 : r * nPhi_ + f;
    }
  }
}

void Tiled::PackTiles(int nt, bool keep) {
  size_t size = 0;
  for (int t = 0; t < nt; t++) size += tCap_[t];
  if (keep) {
    std::vector<Entry> old(std::max(size, tLen_));
    size_t at = 0;
    for (int t = 0; t < nt; t++) {
      const int from = tStart_[t], n = tCount_[t];
      std::copy(tE_.begin() + from, tE_.begin() + from + n, old.begin() + at);
      for (size_t e = at; e < at + n; e++) tPos_[old[e].id] = static_cast<int32_t>(e);
      tStart_[t] = static_cast<int32_t>(at);
      at += tCap_[t];
    }
    tLen_ = old.size();
    tE_.swap(old);
    return;
  }
  if (tLen_ < size) {
    tLen_ = std::max(size, 2 * tLen_);
    Ensure(tE_, tLen_);
  }
  size_t at = 0;
  for (int t = 0; t < nt; t++) { tStart_[t] = static_cast<int32_t>(at); at += tCap_[t]; }
}

void Tiled::AddToTile(int x) {
  const int t = TileIndex(rap_[x], phi_[x]);
  if (tCount_[t] == tCap_[t]) {
    tCap_[t] = std::max(4, 2 * tCap_[t]);  // tiled.ts: Math.max(TILE_SLACK, 2 * tCap)
    PackTiles(nRap_ * nPhi_, true);
  }
  const int e = tStart_[t] + tCount_[t]++;
  tileOf_[x] = t; tPos_[x] = e;
  Entry& en = tE_[e];
  en.rap = rap_[x]; en.phi = phi_[x]; en.nnDist = R2_; en.nn = -1; en.id = x;
  nn_[x] = -1; rHead_[x] = -1;
}

void Tiled::SetNN(int x, int j, double d) {
  const int old = nn_[x];
  if (old != j) {
    if (old >= 0) Unlink(x, old);
    if (j >= 0) {
      const int h = rHead_[j];
      rNext_[x] = h; rPrev_[x] = -1;
      if (h >= 0) rPrev_[h] = x;
      rHead_[j] = x;
    }
  }
  nn_[x] = j; nnDist_[x] = d;
  Entry& en = tE_[tPos_[x]];
  en.nnDist = d; en.nn = j;
}

void Tiled::RemoveJet(int x) {
  if (nn_[x] >= 0) Unlink(x, nn_[x]);
  const int t = tileOf_[x], e = tPos_[x], last = tStart_[t] + --tCount_[t];
  if (e != last) {
    const int m = tE_[last].id;
    tE_[e] = tE_[last];
    tPos_[m] = e;
  }
  const int pos = livePos_[x], lp = --nLive_;
  const int lb = lp >> BLOCK_SHIFT;
  if (blockArg_[lb] == lp) RescanBlock(lb);
  if (pos != lp) {
    const int m = live_[lp];
    live_[pos] = m; livePos_[m] = pos;
    SetDiJ(pos, liveDiJ_[lp]);
  }
}

void Tiled::TileBounds(int x, double* b) const {
  const int t = tileOf_[x], ir = t / nPhi_, ip = t - ir * nPhi_;
  const double y = rap_[x], f = phi_[x];
  const double rLo = rapMin_ + ir * sizeRap_, pLo = ip * sizePhi_;
  double d = y - rLo - TILE_EPS;
  const double rl = d > 0 ? d * d : 0;
  d = rLo + sizeRap_ - y - TILE_EPS;
  const double rh = d > 0 ? d * d : 0;
  d = f - pLo - TILE_EPS;
  const double pl = d > 0 ? d * d : 0;
  d = pLo + sizePhi_ - f - TILE_EPS;
  const double ph = d > 0 ? d * d : 0;
  b[0] = 0; b[1] = rl + pl; b[2] = rl; b[3] = rl + ph; b[4] = pl; b[5] = ph; b[6] = rh + pl; b[7] = rh; b[8] = rh + ph;
}

void Tiled::FindNN(int x, int fromK, int bestJ, double best) {
  const Entry* tE = tE_.data();
  const double y = rap_[x], f = phi_[x];
  const int t0 = tileOf_[x];
  double* bounds = boundsNN_;
  TileBounds(x, bounds);
  for (int k = fromK; k < 9; k++) {
    const int t = neigh_[9 * t0 + k];
    if (t < 0 || bounds[k] >= best) continue;
    for (int e = tStart_[t], end = e + tCount_[t]; e < end; e++) {
      double dphi = std::fabs(f - tE[e].phi);
      if (dphi > PI) dphi = TWOPI - dphi;
      const double drap = y - tE[e].rap;
      const double d = dphi * dphi + drap * drap;
      if (d < best && tE[e].id != x) { best = d; bestJ = tE[e].id; }
    }
  }
  SetNN(x, bestJ, best);
  UpdateDiJ(x);
  if (best > tMaxNN_[t0]) tMaxNN_[t0] = best;
}

void Tiled::InitNN() {
  // tiled.ts keeps the own-tile candidates in nn[]/nnDist[] by jet id; here they stay in the tile
  // entries (AddToTile set nnDist = R^2, nn = -1): the same values, read contiguously.
  Entry* tE = tE_.data();
  const int nt = nRap_ * nPhi_;
  for (int t = 0; t < nt; t++) {
    const int base = tStart_[t], end = base + tCount_[t];
    for (int e1 = base; e1 < end; e1++) {
      const int i = tE[e1].id;
      const double y = tE[e1].rap, f = tE[e1].phi;
      double bi = tE[e1].nnDist;
      int bj = tE[e1].nn;
      for (int e2 = e1 + 1; e2 < end; e2++) {
        double dphi = std::fabs(f - tE[e2].phi);
        if (dphi > PI) dphi = TWOPI - dphi;
        const double drap = y - tE[e2].rap;
        const double d = dphi * dphi + drap * drap;
        if (d < bi) { bi = d; bj = tE[e2].id; }
        if (d < tE[e2].nnDist) { tE[e2].nnDist = d; tE[e2].nn = i; }
      }
      tE[e1].nnDist = bi; tE[e1].nn = bj;
    }
  }
  // nn_[k] is still -1 (AddToTile): SetNN links only the final NNs.
  for (int k = 0; k < nParticles_; k++) {
    const Entry& en = tE[tPos_[k]];
    FindNN(k, 1, en.nn, en.nnDist);
  }
}

int Tiled::Recombine(int i, int j) {
  const int k = nJets_++;
  px_[k] = px_[i] + px_[j];
  py_[k] = py_[i] + py_[j];
  pz_[k] = pz_[i] + pz_[j];
  E_[k] = E_[i] + E_[j];
  kt2_[k] = px_[k] * px_[k] + py_[k] * py_[k];
  hist_[k] = nHist_++;
  const int first = hist_[i] < hist_[j] ? i : j, second = first == i ? j : i;
  cNext_[cLast_[first]] = cFirst_[second];
  cFirst_[k] = cFirst_[first];
  cLast_[k] = cLast_[second];
  return k;
}

bool Tiled::Step() {
  const int n = nLive_;
  if (n == 0) return false;
  const double* bm = blockMin_.data();
  const int nb = ((n - 1) >> BLOCK_SHIFT) + 1;
  int bmin = 0;
  double dmin = bm[0];
  for (int k = 1; k < nb; k++) if (bm[k] < dmin) { dmin = bm[k]; bmin = k; }
  const int a = live_[blockArg_[bmin]], b = nn_[a];
  RemoveJet(a);
  if (b < 0) {
    beamJets_[nBeam_++] = a;  // sequence.ts toBeam
    nHist_++;
    return true;
  }
  RemoveJet(b);
  const int c = Recombine(a, b);
  SetKinematics(c);
  AddToTile(c);
  live_[nLive_] = c; livePos_[c] = nLive_; liveDiJ_[nLive_++] = INF;
  AfterMerge(a, b, c);
  return true;
}

void Tiled::AfterMerge(int a, int b, int c) {
  Entry* tE = tE_.data();
  double* tMaxNN = tMaxNN_.data();
  const double yc = rap_[c], fc = phi_[c];
  const int t0 = tileOf_[c];
  double best = R2_;
  int bestJ = -1;
  double* bounds = boundsMerge_;
  TileBounds(c, bounds);
  for (int k = 0; k < 9; k++) {
    const int t = neigh_[9 * t0 + k];
    if (t < 0 || tCount_[t] == 0) continue;
    const double bd = bounds[k];
    if (bd >= best && bd >= tMaxNN[t] && k > 0) continue;
    double mx = 0;
    for (int e = tStart_[t], end = e + tCount_[t]; e < end; e++) {
      double dphi = std::fabs(fc - tE[e].phi);
      if (dphi > PI) dphi = TWOPI - dphi;
      const double drap = yc - tE[e].rap;
      const double d = dphi * dphi + drap * drap;
      double nd = tE[e].nnDist;
      if (d < nd || d < best) {
        const int j = tE[e].id;
        if (j != c) {
          if (d < best) { best = d; bestJ = j; }
          if (d < nd) {
            const int nj = tE[e].nn;
            if (nj != a && nj != b) { SetNN(j, c, d); nd = d; UpdateDiJ(j); }
          }
        } else {
          continue;
        }
      }
      if (nd > mx) mx = nd;
    }
    tMaxNN[t] = mx;
  }
  SetNN(c, bestJ, best); UpdateDiJ(c);
  if (best > tMaxNN[t0]) tMaxNN[t0] = best;
  int32_t* orphans = orphans_.data();
  const int32_t* rNext = rNext_.data();
  int n = 0;
  for (int x = rHead_[a]; x >= 0; x = rNext[x]) orphans[n++] = x;
  for (int x = rHead_[b]; x >= 0; x = rNext[x]) orphans[n++] = x;
  for (int i = 0; i < n; i++) RecomputeNN(orphans[i], c);
}

void Tiled::RecomputeNN(int j, int c) {
  double dphi = std::fabs(phi_[j] - phi_[c]);
  if (dphi > PI) dphi = TWOPI - dphi;
  const double drap = rap_[j] - rap_[c];
  const double d = dphi * dphi + drap * drap;
  if (d < nnDist_[j]) { SetNN(j, c, d); UpdateDiJ(j); }
  else if (d < R2_) FindNN(j, 0, c, d);
  else FindNN(j, 0, -1, R2_);
}

int Tiled::Run(double* f64, int32_t* i32, int cap, int count, double p, double R, int tileSlack) {
  const size_t j = 2 * static_cast<size_t>(cap);
  px_ = f64; py_ = f64 + j; pz_ = f64 + 2 * j; E_ = f64 + 3 * j; kt2_ = f64 + 4 * j;
  hist_ = i32; cFirst_ = i32 + j; cLast_ = i32 + 2 * j; cNext_ = i32 + 3 * j; beamJets_ = i32 + 3 * j + cap;
  p_ = p; R2_ = R * R; tileSlack_ = tileSlack;
  nParticles_ = count; nJets_ = count; nHist_ = count; nLive_ = count; nBeam_ = 0;
  const size_t nj = 2 * static_cast<size_t>(count) + 1, nb = (count >> BLOCK_SHIFT) + 1;
  for (auto* v : {&rap_, &phi_, &scale_, &nnDist_}) Ensure(*v, nj);
  for (auto* v : {&nn_, &rHead_, &rNext_, &rPrev_, &tileOf_, &tPos_, &livePos_}) Ensure(*v, nj);
  Ensure(orphans_, count + 1); Ensure(live_, count + 1); Ensure(liveDiJ_, count + 1);
  Ensure(blockMin_, nb); Ensure(blockArg_, nb);
  for (int k = 0; k < count; k++) {
    live_[k] = k; livePos_[k] = k; liveDiJ_[k] = INF;
    SetKinematics(k);
  }
  std::fill(blockMin_.begin(), blockMin_.begin() + nb, INF);
  std::fill(blockArg_.begin(), blockArg_.begin() + nb, 0);
  SetupTiles(count, std::max(0.1, R));
  for (int k = 0; k < count; k++) AddToTile(k);
  InitNN();
  while (nLive_ > 0) Step();
  return nBeam_;
}

bool Throw(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, ("clusterGenKt: " + msg).c_str());
  return false;
}

napi_value ClusterGenKt(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  void* state = nullptr;  // this thread's Tiled (RegisterCluster)
  napi_get_cb_info(env, info, &argc, argv, nullptr, &state);
  if (argc != 7) { Throw(env, "expected (f64, i32, cap, count, p, R, tileSlack)"); return nullptr; }
  void *f64, *i32;
  size_t nf, ni;
  if (!TypedArrayArg(env, argv[0], napi_float64_array, "clusterGenKt", "f64", &f64, &nf)) return nullptr;
  if (!TypedArrayArg(env, argv[1], napi_int32_array, "clusterGenKt", "i32", &i32, &ni)) return nullptr;
  double num[5];
  for (int k = 0; k < 5; k++) {
    if (napi_get_value_double(env, argv[2 + k], &num[k]) != napi_ok || !std::isfinite(num[k])) {
      Throw(env, "cap, count, p, R and tileSlack must be finite numbers");
      return nullptr;
    }
  }
  const double cap = num[0], count = num[1], p = num[2], R = num[3], slack = num[4];
  if (cap != std::floor(cap) || count != std::floor(count) || slack != std::floor(slack) || count < 0 || count > cap ||
      cap > 1e8 || slack < 0 || slack > 1e6 || !(R > 0)) {
    Throw(env, "need whole numbers 0 <= count <= cap, tileSlack >= 0, and R > 0");
    return nullptr;
  }
  if (nf < 10 * cap || ni < 8 * cap) { Throw(env, "f64 needs 10*cap doubles and i32 8*cap ints"); return nullptr; }
  const int nBeam = static_cast<Tiled*>(state)->Run(static_cast<double*>(f64), static_cast<int32_t*>(i32), static_cast<int>(cap),
                              static_cast<int>(count), p, R, static_cast<int>(slack));
  napi_value out;
  napi_create_int32(env, nBeam, &out);
  return out;
}

}  // namespace

void RegisterKtAxes(napi_env env, napi_value exports);  // native/kt-axes.cc

// One clusterer per module instance, i.e. per thread (main and each worker), its state reused
// across events; freed when the thread's environment ends. (Not thread_local: in a shared
// library every thread_local access is a __tls_get_addr call, measured 11 % of the time.)
void RegisterCluster(napi_env env, napi_value exports) {
  Tiled* state = new Tiled();
  napi_add_env_cleanup_hook(env, [](void* p) { delete static_cast<Tiled*>(p); }, state);
  napi_property_descriptor props[] = {
      {"clusterGenKt", nullptr, ClusterGenKt, nullptr, nullptr, nullptr, napi_default, state},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  RegisterKtAxes(env, exports);
}

#ifdef HEPLLM_CLUSTER_ONLY
// Built without a BLAS (scripts/build-native.js): the addon is these clustering sources alone.
NAPI_MODULE_INIT() {
  RegisterCluster(env, exports);
  return exports;
}
#endif
