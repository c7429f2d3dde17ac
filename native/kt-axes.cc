// hepllm's native exclusive-kt axes for N-subjettiness: the axes clusterer of
// lib/jets/nsubjettiness.ts (lib/jets/genkt.ts, FastJet's N2Plain, kt at R = max_allowable_R) in
// C++, one N-API call per jet. Same formulas, comparisons and slot bookkeeping as genkt.ts, line
// for line (built with -ffp-contract=off, as cluster.cc), so the same pairs merge and the axes'
// four-momenta (E-scheme sums) are the same bits. Only the axes come from here: the measure
// (tau itself, which reads rapidities and azimuths) stays in TypeScript, so tau is the same bits
// with or without the addon. Why: after native clustering, the axes clustering of the two
// leading jets is the largest part of a `prepare` record (issue 15, items 3 and 4).
//
// Export (registered by cluster.cc's RegisterCluster):
//   ktAxes(px, py, pz, E, constituents, m, maxN, out)
//     px..E: Float64Array four-momenta [GeV] of the event's particles; constituents: Int32Array,
//     the jet's first m entries index them. Clusters them with kt (R = 1000) down to N jets for
//     N = min(maxN, m - 1) .. 1 and writes each N's live jets, in slot order, as (px, py, pz, E)
//     at out[2N(N-1) + 4s ..] (N = 1 at 0, N = 2 at 4, N = 3 at 12, ...). 1 <= maxN <= 16.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

constexpr double INF = std::numeric_limits<double>::infinity();
constexpr double MAX_ALLOWABLE_R = 1000.0;  // genkt.ts: FastJet's max_allowable_R (exclusive-kt axes)
constexpr int BLOCK_SHIFT = 4;
constexpr int BLOCK = 1 << BLOCK_SHIFT;
constexpr int MAX_AXES = 16;

inline double Dist2(double ra, double fa, double rb, double fb) {
  double dphi = std::fabs(fa - fb);
  if (dphi > PI) dphi = TWOPI - dphi;
  const double drap = ra - rb;
  return dphi * dphi + drap * drap;
}

/** genkt.ts's GenKtClusterer for kt (p = 1) at R = max_allowable_R, without constituent lists. */
class KtAxes {
 public:
  void Init(const double* px, const double* py, const double* pz, const double* E, const int32_t* idx, int count);
  void RunUntil(int nStop) { while (nLive_ > nStop) Step(); }
  int LiveJet(int s) const { return bJet_[s]; }
  std::vector<double> px_, py_, pz_, E_, kt2_;  // per jet id (2*count) [GeV, GeV^2]

 private:
  int nLive_ = 0, nJets_ = 0;
  double R2_ = MAX_ALLOWABLE_R * MAX_ALLOWABLE_R;
  std::vector<double> bRap_, bPhi_, bScale_, bNNDist_, diJ_, blockMin_;
  std::vector<int32_t> bNN_, bJet_, blockArg_;

  void SetJetInfo(int slot, int jet) {
    const double k2 = kt2_[jet];
    bRap_[slot] = RapidityOf(pz_[jet], E_[jet], k2);
    bPhi_[slot] = Phi02pi(px_[jet], py_[jet], k2);
    bScale_[slot] = k2;  // jetScale for kt
    bJet_[slot] = jet;
    bNNDist_[slot] = R2_;
    bNN_[slot] = -1;
  }
  double SlotDiJ(int s) const {
    double sc = bScale_[s];
    const int nn = bNN_[s];
    if (nn >= 0 && bScale_[nn] < sc) sc = bScale_[nn];
    return bNNDist_[s] * sc;
  }
  void SetDiJ(int s, double v) {
    diJ_[s] = v;
    const int blk = s >> BLOCK_SHIFT;
    if (v < blockMin_[blk]) { blockMin_[blk] = v; blockArg_[blk] = s; }
    else if (blockArg_[blk] == s) RescanBlock(blk);
  }
  void RescanBlock(int blk) {
    const int from = blk << BLOCK_SHIFT, to = std::min(nLive_, from + BLOCK);
    double m = INF;
    int arg = from;
    for (int s = from; s < to; s++) if (diJ_[s] < m) { m = diJ_[s]; arg = s; }
    blockMin_[blk] = m; blockArg_[blk] = arg;
  }
  void SetNNNoCross(int s, int n) {
    double nnDist = R2_;
    int nn = -1;
    const double ra = bRap_[s], fa = bPhi_[s];
    for (int b = 0; b < n; b++) {
      if (b == s) continue;
      const double dist = Dist2(ra, fa, bRap_[b], bPhi_[b]);
      if (dist < nnDist) { nnDist = dist; nn = b; }
    }
    bNN_[s] = nn; bNNDist_[s] = nnDist;
  }
  void Step();
};

template <typename T>
void Ensure(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

void KtAxes::Init(const double* px, const double* py, const double* pz, const double* E, const int32_t* idx, int count) {
  const size_t nj = 2 * static_cast<size_t>(count) + 1, nb = (count >> BLOCK_SHIFT) + 1;
  for (auto* v : {&px_, &py_, &pz_, &E_, &kt2_}) Ensure(*v, nj);
  for (auto* v : {&bRap_, &bPhi_, &bScale_, &bNNDist_, &diJ_}) Ensure(*v, count + 1);
  Ensure(bNN_, count + 1); Ensure(bJet_, count + 1); Ensure(blockMin_, nb); Ensure(blockArg_, nb);
  nLive_ = count; nJets_ = count;
  for (int k = 0; k < count; k++) {
    const int i = idx[k];
    const double x = px[i], y = py[i];
    px_[k] = x; py_[k] = y; pz_[k] = pz[i]; E_[k] = E[i];
    kt2_[k] = x * x + y * y;
  }
  for (int k = 0; k < count; k++) SetJetInfo(k, k);
  for (int a = 1; a < count; a++) {
    double nnDist = R2_;
    int nn = -1;
    const double ra = bRap_[a], fa = bPhi_[a];
    for (int b = 0; b < a; b++) {
      const double dist = Dist2(ra, fa, bRap_[b], bPhi_[b]);
      if (dist < nnDist) { nnDist = dist; nn = b; }
      if (dist < bNNDist_[b]) { bNNDist_[b] = dist; bNN_[b] = a; }
    }
    bNN_[a] = nn; bNNDist_[a] = nnDist;
  }
  for (int s = 0; s < count; s++) diJ_[s] = SlotDiJ(s);
  for (int blk = 0; blk <= count >> BLOCK_SHIFT; blk++) RescanBlock(blk);
}

void KtAxes::Step() {
  int n = nLive_;
  const int nb = ((n - 1) >> BLOCK_SHIFT) + 1;
  int bmin = 0;
  double dmin = blockMin_[0];
  for (int k = 1; k < nb; k++) if (blockMin_[k] < dmin) { dmin = blockMin_[k]; bmin = k; }
  int a = blockArg_[bmin], b = bNN_[a];
  if (b >= 0) {
    if (a < b) std::swap(a, b);
    const int i = bJet_[a], j = bJet_[b], k = nJets_++;  // sequence.ts recombine (E-scheme)
    px_[k] = px_[i] + px_[j];
    py_[k] = py_[i] + py_[j];
    pz_[k] = pz_[i] + pz_[j];
    E_[k] = E_[i] + E_[j];
    kt2_[k] = px_[k] * px_[k] + py_[k] * py_[k];
    SetJetInfo(b, k);
  }
  const int tail = --n;
  nLive_ = n;
  const int tb = tail >> BLOCK_SHIFT;
  if (blockArg_[tb] == tail) RescanBlock(tb);
  if (a != tail) {
    bRap_[a] = bRap_[tail]; bPhi_[a] = bPhi_[tail]; bScale_[a] = bScale_[tail];
    bNNDist_[a] = bNNDist_[tail]; bNN_[a] = bNN_[tail]; bJet_[a] = bJet_[tail];
    SetDiJ(a, diJ_[tail]);
  }
  if (b >= 0) {
    const double rb = bRap_[b], fb = bPhi_[b];
    double bBest = bNNDist_[b];
    int bBestJ = bNN_[b];
    for (int i = 0; i < n; i++) {
      if (i == b) continue;
      double dphi = std::fabs(bPhi_[i] - fb);
      if (dphi > PI) dphi = TWOPI - dphi;
      const double drap = bRap_[i] - rb;
      const double dist = dphi * dphi + drap * drap;
      const int nni = bNN_[i];
      if (nni == a || nni == b) {
        if (dist < bNNDist_[i]) { bNNDist_[i] = dist; bNN_[i] = b; }
        else SetNNNoCross(i, n);
        SetDiJ(i, SlotDiJ(i));
      } else if (dist < bNNDist_[i]) {
        bNNDist_[i] = dist; bNN_[i] = b;
        SetDiJ(i, SlotDiJ(i));
      } else if (nni == tail) {
        bNN_[i] = a;
      }
      if (dist < bBest) { bBest = dist; bBestJ = i; }
    }
    bNNDist_[b] = bBest; bNN_[b] = bBestJ;
    SetDiJ(b, SlotDiJ(b));
  } else {
    for (int i = 0; i < n; i++) {
      if (bNN_[i] == a) {
        SetNNNoCross(i, n);
        SetDiJ(i, SlotDiJ(i));
      }
      if (bNN_[i] == tail) bNN_[i] = a;
    }
  }
}

/** The axes of one jet for N = min(maxN, m - 1) .. 1 into out (layout: see the header). */
void AxesOf(KtAxes& ac, const double* px, const double* py, const double* pz, const double* E, const int32_t* idx, int m, int maxN, double* out) {
  if (m <= 1) return;
  ac.Init(px, py, pz, E, idx, m);
  for (int N = std::min(maxN, m - 1); N >= 1; N--) {
    ac.RunUntil(N);
    double* o = out + 2 * N * (N - 1);
    for (int s = 0; s < N; s++) {
      const int k = ac.LiveJet(s);
      o[4 * s] = ac.px_[k]; o[4 * s + 1] = ac.py_[k]; o[4 * s + 2] = ac.pz_[k]; o[4 * s + 3] = ac.E_[k];
    }
  }
}

bool Throw(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, ("ktAxes: " + msg).c_str());
  return false;
}

napi_value KtAxesCall(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  void* state = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &state);
  if (argc != 8) { Throw(env, "expected (px, py, pz, E, constituents, m, maxN, out)"); return nullptr; }
  const double* fm[4];
  size_t len[4];
  const char* names[4] = {"px", "py", "pz", "E"};
  for (int k = 0; k < 4; k++) {
    double* p;
    if (!TypedArrayArg(env, argv[k], napi_float64_array, "ktAxes", names[k], &p, &len[k])) return nullptr;
    fm[k] = p;
  }
  int32_t* idx;
  size_t nIdx, nOut;
  double* out;
  if (!TypedArrayArg(env, argv[4], napi_int32_array, "ktAxes", "constituents", &idx, &nIdx)) return nullptr;
  if (!TypedArrayArg(env, argv[7], napi_float64_array, "ktAxes", "out", &out, &nOut)) return nullptr;
  double m, maxN;
  if (napi_get_value_double(env, argv[5], &m) != napi_ok || napi_get_value_double(env, argv[6], &maxN) != napi_ok) {
    Throw(env, "m and maxN must be numbers");
    return nullptr;
  }
  if (!(m >= 0 && m <= nIdx && m == std::floor(m)) || !(maxN >= 1 && maxN <= MAX_AXES && maxN == std::floor(maxN)) || nOut < 2 * maxN * (maxN + 1)) {
    Throw(env, "need whole numbers 0 <= m <= constituents.length and 1 <= maxN <= 16, and out of >= 2*maxN*(maxN+1) doubles");
    return nullptr;
  }
  const size_t n = std::min(std::min(len[0], len[1]), std::min(len[2], len[3]));
  for (size_t k = 0; k < m; k++) {
    if (idx[k] < 0 || static_cast<size_t>(idx[k]) >= n) { Throw(env, "constituent " + std::to_string(idx[k]) + " is outside the four-momenta"); return nullptr; }
  }
  AxesOf(*static_cast<KtAxes*>(state), fm[0], fm[1], fm[2], fm[3], idx, static_cast<int>(m), static_cast<int>(maxN), out);
  return nullptr;
}

}  // namespace

// One axes clusterer per module instance (per thread), freed with the thread's environment.
void RegisterKtAxes(napi_env env, napi_value exports) {
  KtAxes* state = new KtAxes();
  napi_add_env_cleanup_hook(env, [](void* p) { delete static_cast<KtAxes*>(p); }, state);
  napi_property_descriptor props[] = {
      {"ktAxes", nullptr, KtAxesCall, nullptr, nullptr, nullptr, napi_default, state},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
