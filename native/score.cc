// hepllm's scoring kernels: forward only, for lib/train/scoring-forward.ts (registered by
// lib/llm/kernels/native-score.ts). The scoring forward runs B right-padded prompts after a shared
// real prefix; these kernels work on its layout directly, so the attention core is one call per
// layer with no bias table, no key/value concatenation, no transposes and no masked square.
//
// All arguments after the heap are whole numbers: byte offsets into the heap and dimensions.
// Every range is checked against the heap.
//
//   ropeRows(heap, x, cos, sin, y, n, width, hd, tableRows)
//     y [n, width] = rotate-half RoPE of each head (width/hd heads per row) of x [n, width], row i
//     with table row i mod tableRows of cos/sin [tableRows, hd] (scale folded into the tables).
//   mlpResidual(heap, h, wg, wu, wd, out, n, d, inner, eps)
//     out [n, d] = h + (silu(x·Wg) ⊙ (x·Wu))·Wd with x = h/√(mean(h²) + eps) per row (the RMSNorm
//     gain folded into Wg, Wu [d, inner]; Wd [inner, d]; eps > 0, used as float32),
//     rows in cache-sized blocks, so the [n, inner] activations never go through memory.
//   gatherRows(heap, table, ids, out, n, d, vocab)
//     out [n, d] = rows ids (int32 [n]) of table [vocab, d] (the token embeddings); an id outside
//     the table is an error naming it.
//   attend(heap, q, kOwn, vOwn, kPre, vPre, kExt, vExt, ranges, out, B, M, T, P, H, KV, hd, R, ext)
//     Per batch row b, query i < M (row b·M + i of q [B·M, H·hd], rotated and scaled) and head h
//     (kv head g = ⌊h/(H/KV)⌋): out = softmax(q·Kᵀ)·V over the keys j in [lo, hi) of the row's
//     key list [prefix (P rows of kPre/vPre [P, KV·hd], shared by every row), own (T rows
//     b·T.. of kOwn/vOwn [B·T, KV·hd])], (lo, hi) = ranges [R, 2] (int32) row (b·M + i) mod R;
//     with ext = 1 also the query's own extra key and value (row b·M + i of kExt/vExt
//     [B·M, KV·hd]: an alternative that sees itself). out [B·M, H·hd].
//     The same numbers as adding a bias of −1e9 outside [lo, hi) and a softmax over all keys
//     (exp(−1e9 − max) is 0 in float32), up to the order of float sums.
#include <node_api.h>
#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "expf.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define HEPLLM_SCORE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEPLLM_SCORE_CLONES
#endif

namespace {

bool Throw(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, msg.c_str());
  return false;
}

// The call's arguments: the heap (argument 0) and `count` numbers after it, whole numbers >= 0
// (offsets, sizes: v) except those from index `realFrom` on, any finite number (real).
struct Args {
  char* base = nullptr;
  size_t len = 0;
  int64_t v[20] = {};
  double real[20] = {};
  const char* name;
  napi_env env;

  bool Read(napi_callback_info info, size_t count, size_t realFrom = 20) {
    size_t argc = 21;
    napi_value argv[21];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    bool isAb = false;
    if (argc >= 1) napi_is_arraybuffer(env, argv[0], &isAb);
    void* data = nullptr;
    if (argc != count + 1 || !isAb || napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok) {
      return Throw(env, std::string(name) + ": expected the heap ArrayBuffer and " + std::to_string(count) + " numbers");
    }
    base = static_cast<char*>(data);
    for (size_t i = 0; i < count; i++) {
      double d = 0;
      if (napi_get_value_double(env, argv[i + 1], &d) != napi_ok || !std::isfinite(d)) {
        return Throw(env, std::string(name) + ": argument " + std::to_string(i + 1) + " must be a finite number");
      }
      real[i] = d;
      if (i >= realFrom) continue;
      if (d != std::floor(d) || d < 0 || d > 9.0e15) {
        return Throw(env, std::string(name) + ": argument " + std::to_string(i + 1) + " must be a whole number >= 0");
      }
      v[i] = static_cast<int64_t>(d);
    }
    return true;
  }
  // The 4-byte array at byte offset v[i] holding `n` values, or nullptr (error thrown).
  template <typename T>
  T* At(int i, int64_t n) {
    const int64_t off = v[i];
    if (off % 4 != 0 || n < 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(n) * 4 > len) {
      Throw(env, std::string(name) + ": operand " + std::to_string(i + 1) + " lies outside the heap");
      return nullptr;
    }
    return reinterpret_cast<T*>(base + off);
  }
};

constexpr int64_t kLanes = 16;  // keys per score chunk (one AVX-512 register, two AVX2)
constexpr int64_t kTile = 8;       // (query row, head) entries per attention tile
constexpr int64_t kTileHeads = 2;  // heads of one kv group per tile where the group has two or more
constexpr int64_t kMlpRows = 256;  // rows per MLP block: [256, I] activations stay in L2 for I up to ~500

// ---- RoPE ----

HEPLLM_SCORE_CLONES void RopeLoop(const float* x, const float* cos, const float* sin, float* y, int64_t n, int64_t width, int64_t hd, int64_t tableRows) {
  const int64_t half = hd / 2;
  for (int64_t i = 0; i < n; i++) {
    const float* c = cos + (i % tableRows) * hd;
    const float* s = sin + (i % tableRows) * hd;
    for (int64_t h = 0; h < width; h += hd) {
      const float* xi = x + i * width + h;
      float* yi = y + i * width + h;
      for (int64_t j = 0; j < half; j++) {
        yi[j] = xi[j] * c[j] - xi[j + half] * s[j];
        yi[j + half] = xi[j + half] * c[j + half] + xi[j] * s[j + half];
      }
    }
  }
}

napi_value RopeRows(napi_env env, napi_callback_info info) {
  Args A;
  A.env = env;
  A.name = "ropeRows";
  if (!A.Read(info, 8)) return nullptr;
  const int64_t n = A.v[4], width = A.v[5], hd = A.v[6], rows = A.v[7];
  if (hd == 0 || hd % 2 != 0 || width % hd != 0 || (n > 0 && rows == 0)) {
    Throw(env, "ropeRows: the head size must be even and divide the width, and the table have rows");
    return nullptr;
  }
  const float* x = A.At<float>(0, n * width);
  const float* c = x ? A.At<float>(1, rows * hd) : nullptr;
  const float* s = c ? A.At<float>(2, rows * hd) : nullptr;
  float* y = s ? A.At<float>(3, n * width) : nullptr;
  if (!y) return nullptr;
  RopeLoop(x, c, s, y, n, width, hd, rows);
  return nullptr;
}

// ---- embedding rows ----

napi_value GatherRows(napi_env env, napi_callback_info info) {
  Args A;
  A.env = env;
  A.name = "gatherRows";
  if (!A.Read(info, 6)) return nullptr;
  const int64_t n = A.v[3], d = A.v[4], vocab = A.v[5];
  const float* table = A.At<float>(0, vocab * d);
  const int32_t* ids = table ? A.At<int32_t>(1, n) : nullptr;
  float* out = ids ? A.At<float>(2, n * d) : nullptr;
  if (!out) return nullptr;
  for (int64_t i = 0; i < n; i++) {
    if (ids[i] < 0 || ids[i] >= vocab) {
      Throw(env, "gatherRows: token id " + std::to_string(ids[i]) + " (position " + std::to_string(i) + ") is outside the vocabulary (0.." + std::to_string(vocab - 1) + ")");
      return nullptr;
    }
    std::memcpy(out + i * d, table + ids[i] * d, 4 * d);
  }
  return nullptr;
}

// ---- the MLP block ----

HEPLLM_SCORE_CLONES void NormRows(const float* x, float* y, int64_t n, int64_t d, float eps) {
  for (int64_t i = 0; i < n; i++) {
    const float* xi = x + i * d;
    float acc[kLanes] = {};
    int64_t j = 0;
    for (; j + kLanes <= d; j += kLanes)
      for (int l = 0; l < kLanes; l++) acc[l] += xi[j + l] * xi[j + l];
    float ss = 0;
    for (; j < d; j++) ss += xi[j] * xi[j];
    for (int l = 0; l < kLanes; l++) ss += acc[l];
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(d) + eps);
    for (int64_t k = 0; k < d; k++) y[i * d + k] = xi[k] * r;
  }
}

HEPLLM_SCORE_CLONES void SiluMul(float* g, const float* u, int64_t c) {
  for (int64_t i = 0; i < c; i++) g[i] = g[i] / (1.0f + ExpF(-g[i])) * u[i];
}

thread_local std::vector<float> mlpScratch;

napi_value MlpResidual(napi_env env, napi_callback_info info) {
  Args A;
  A.env = env;
  A.name = "mlpResidual";
  if (!A.Read(info, 9, 8)) return nullptr;  // the last argument, eps, is a real number
  const int64_t n = A.v[5], d = A.v[6], inner = A.v[7];
  const float eps = static_cast<float>(A.real[8]);
  if (!(eps > 0)) {
    Throw(env, "mlpResidual: eps must be > 0");
    return nullptr;
  }
  const float* h = A.At<float>(0, n * d);
  const float* wg = h ? A.At<float>(1, d * inner) : nullptr;
  const float* wu = wg ? A.At<float>(2, d * inner) : nullptr;
  const float* wd = wu ? A.At<float>(3, inner * d) : nullptr;
  float* out = wd ? A.At<float>(4, n * d) : nullptr;
  if (!out || n == 0 || d == 0) return nullptr;
  // Rows in blocks whose activations [rows, inner] stay in cache (the whole [n, inner] arrays do not).
  const int64_t rows = kMlpRows;
  const size_t need = static_cast<size_t>(rows * d + 2 * rows * inner);
  if (mlpScratch.size() < need) mlpScratch.resize(need);
  float* xn = mlpScratch.data();
  float* g = xn + rows * d;
  float* u = g + rows * inner;
  for (int64_t r0 = 0; r0 < n; r0 += rows) {
    const int64_t m = n - r0 < rows ? n - r0 : rows;
    NormRows(h + r0 * d, xn, m, d, eps);
    std::memcpy(out + r0 * d, h + r0 * d, 4 * m * d);
    if (inner == 0) continue;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(inner), static_cast<int>(d), 1.0f, xn, static_cast<int>(d), wg, static_cast<int>(inner), 0.0f, g, static_cast<int>(inner));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(inner), static_cast<int>(d), 1.0f, xn, static_cast<int>(d), wu, static_cast<int>(inner), 0.0f, u, static_cast<int>(inner));
    SiluMul(g, u, m * inner);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(d), static_cast<int>(inner), 1.0f, g, static_cast<int>(inner), wd, static_cast<int>(d), 1.0f, out + r0 * d, static_cast<int>(d));
  }
  return nullptr;
}

// ---- attention ----

constexpr int64_t kMaxGenericHd = 256;  // head sizes other than 16, 32, 64 up to this

thread_local std::vector<float> scratch;

// 16 floats as one vector (GCC/Clang vector extensions: one AVX-512 register, two AVX2, four SSE);
// V16u: the same at any 4-byte alignment (loads and stores from the heap and scratch).
typedef float V16 __attribute__((vector_size(64)));
typedef float V16u __attribute__((vector_size(64), aligned(4)));

struct Dims {
  int64_t B, M, T, P, H, KV, hd, R, rep, S, Sp;
};

// Σ x[j] and max x[j] for j in [lo, hi), in kLanes lanes (a float reduction vectorises only when written so).
inline float LaneSum(const float* x, int64_t lo, int64_t hi) {
  float acc[kLanes] = {};
  int64_t j = lo;
  for (; j + kLanes <= hi; j += kLanes)
    for (int l = 0; l < kLanes; l++) acc[l] += x[j + l];
  float s = 0;
  for (; j < hi; j++) s += x[j];
  for (int l = 0; l < kLanes; l++) s += acc[l];
  return s;
}
inline float LaneMax(const float* x, int64_t lo, int64_t hi, float m) {
  float acc[kLanes];
  for (int l = 0; l < kLanes; l++) acc[l] = m;
  int64_t j = lo;
  for (; j + kLanes <= hi; j += kLanes)
    for (int l = 0; l < kLanes; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
  for (; j < hi; j++) m = x[j] > m ? x[j] : m;
  for (int l = 0; l < kLanes; l++) m = acc[l] > m ? acc[l] : m;
  return m;
}

// One (batch row, kv head) group: kT [hd, Sp] and v [S, hd] gathered from the prefix and own
// rows (kT zero-padded to Sp, a multiple of kLanes, so score chunks never read past it), then
// every query row of the group's heads. HD: the head size when known at compile time (0: D.hd).
template <int HD>
inline __attribute__((always_inline)) void AttendGroupT(const Dims& D, int64_t b, int64_t g, const float* q, const float* kOwn, const float* vOwn, const float* kPre, const float* vPre, const float* kExt, const float* vExt, const int32_t* ranges, float* __restrict__ out, float* __restrict__ kT, float* __restrict__ vs, float* __restrict__ sc) {
  const int64_t hd = HD > 0 ? HD : D.hd, kvw = D.KV * hd, qw = D.H * hd;
  for (int64_t j = 0; j < D.S; j++) {
    const float* k = j < D.P ? kPre + j * kvw + g * hd : kOwn + (b * D.T + j - D.P) * kvw + g * hd;
    const float* v = j < D.P ? vPre + j * kvw + g * hd : vOwn + (b * D.T + j - D.P) * kvw + g * hd;
    for (int64_t d = 0; d < hd; d++) kT[d * D.Sp + j] = k[d];
    std::memcpy(vs + j * hd, v, 4 * hd);
  }
  for (int64_t d = 0; d < hd; d++) std::memset(kT + d * D.Sp + D.S, 0, 4 * (D.Sp - D.S));
  // Tiles of kTile entries: query rows × heads of the group (kTileHeads where the group has them) (GQA: the heads share keys): scores
  // over the union of their key ranges, each key row loaded once per tile, kTile independent
  // accumulators (no single FMA chain). Entries past the rows or heads are empty.
  constexpr int64_t kAcc = HD > 0 ? HD : kMaxGenericHd;
  const int64_t th = D.rep >= kTileHeads ? kTileHeads : 1;  // heads per tile (no GQA: rows only)
  const int64_t tr = kTile / th;                             // rows per tile
  for (int64_t r0 = 0; r0 < D.rep; r0 += th)
    for (int64_t i0 = 0; i0 < D.M; i0 += tr) {
      int64_t lo[kTile], hi[kTile], rowOf[kTile], ulo = D.S, uhi = 0;
      bool valid[kTile];
      const float* qi[kTile];
      for (int64_t u = 0; u < kTile; u++) {
        const int64_t i = i0 + u % tr, r = r0 + u / tr;
        valid[u] = i < D.M && r < D.rep;
        const int64_t row = b * D.M + (valid[u] ? i : i0);
        const int32_t* rg = ranges + 2 * (row % D.R);
        rowOf[u] = row;
        lo[u] = rg[0];
        hi[u] = valid[u] ? rg[1] : rg[0];
        qi[u] = q + row * qw + (g * D.rep + (valid[u] ? r : r0)) * hd;
        if (valid[u] && lo[u] < ulo) ulo = lo[u];
        if (hi[u] > uhi) uhi = hi[u];
      }
      if (uhi < ulo) ulo = uhi;
      const int64_t c0 = ulo - ulo % kLanes;  // aligned chunk start (kT rows are padded)
      // Scores of keys c0..uhi (whole chunks): per chunk and entry, Σ_d q[d]·kT[d][chunk].
      for (int64_t c = c0; c < uhi; c += kLanes) {
        V16 acc[kTile] = {};
        for (int64_t d = 0; d < hd; d++) {
          const V16 kr = *reinterpret_cast<const V16u*>(kT + d * D.Sp + c);
          for (int64_t u = 0; u < kTile; u++) acc[u] += qi[u][d] * kr;
        }
        for (int64_t u = 0; u < kTile; u++) *reinterpret_cast<V16u*>(sc + u * D.Sp + c) = acc[u];
      }
      float pe[kTile] = {}, sum[kTile] = {};
      for (int64_t u = 0; u < kTile; u++) {
        float* su = sc + u * D.Sp;
        if (!valid[u]) {
          for (int64_t j = ulo; j < uhi; j++) su[j] = 0;
          continue;
        }
        float ext = 0;
        if (kExt) {
          const float* ke = kExt + rowOf[u] * kvw + g * hd;
          for (int64_t d = 0; d < hd; d++) ext += qi[u][d] * ke[d];
        }
        const float mx = LaneMax(su, lo[u], hi[u], kExt ? ext : -INFINITY);
        for (int64_t j = lo[u]; j < hi[u]; j++) su[j] = ExpF(su[j] - mx);
        pe[u] = kExt ? ExpF(ext - mx) : 0.0f;
        sum[u] = LaneSum(su, lo[u], hi[u]) + pe[u];
        // Outside the entry's own range (but inside the tile's union): weight 0.
        for (int64_t j = ulo; j < lo[u]; j++) su[j] = 0;
        for (int64_t j = hi[u]; j < uhi; j++) su[j] = 0;
      }
      float a[kTile][kAcc] = {};
      if constexpr (HD > 0 && HD % kLanes == 0) {
        // Per key: its value row as HD/16 vectors, one FMA per entry and vector.
        constexpr int64_t nv = HD / kLanes;
        V16 av[kTile][nv] = {};
        for (int64_t j = ulo; j < uhi; j++) {
          V16 vj[nv];
          for (int64_t e = 0; e < nv; e++) vj[e] = *reinterpret_cast<const V16u*>(vs + j * HD + e * kLanes);
          for (int64_t u = 0; u < kTile; u++) {
            const float p = sc[u * D.Sp + j];
            for (int64_t e = 0; e < nv; e++) av[u][e] += p * vj[e];
          }
        }
        for (int64_t u = 0; u < kTile; u++)
          for (int64_t e = 0; e < nv; e++)
            for (int l = 0; l < kLanes; l++) a[u][e * kLanes + l] = av[u][e][l];
      } else {
        for (int64_t j = ulo; j < uhi; j++) {
          const float* vj = vs + j * hd;
          for (int64_t u = 0; u < kTile; u++) {
            const float p = sc[u * D.Sp + j];
            for (int64_t d = 0; d < hd; d++) a[u][d] += p * vj[d];
          }
        }
      }
      for (int64_t u = 0; u < kTile; u++) {
        if (!valid[u]) continue;
        const int64_t row = rowOf[u];
        if (kExt) {
          const float* ve = vExt + row * kvw + g * hd;
          for (int64_t d = 0; d < hd; d++) a[u][d] += pe[u] * ve[d];
        }
        const float inv = sum[u] > 0 ? 1.0f / sum[u] : 0.0f;
        float* o = out + row * qw + (g * D.rep + r0 + u / tr) * hd;
        for (int64_t d = 0; d < hd; d++) o[d] = a[u][d] * inv;
      }
    }
}

#define HEPLLM_ATTEND_ARGS const Dims &D, int64_t b, int64_t g, const float *q, const float *kOwn, const float *vOwn, const float *kPre, const float *vPre, const float *kExt, const float *vExt, const int32_t *ranges, float *out, float *kT, float *vs, float *sc
#define HEPLLM_ATTEND_PASS D, b, g, q, kOwn, vOwn, kPre, vPre, kExt, vExt, ranges, out, kT, vs, sc
HEPLLM_SCORE_CLONES void AttendGroup16(HEPLLM_ATTEND_ARGS) { AttendGroupT<16>(HEPLLM_ATTEND_PASS); }
HEPLLM_SCORE_CLONES void AttendGroup32(HEPLLM_ATTEND_ARGS) { AttendGroupT<32>(HEPLLM_ATTEND_PASS); }
HEPLLM_SCORE_CLONES void AttendGroup64(HEPLLM_ATTEND_ARGS) { AttendGroupT<64>(HEPLLM_ATTEND_PASS); }
HEPLLM_SCORE_CLONES void AttendGroupN(HEPLLM_ATTEND_ARGS) { AttendGroupT<0>(HEPLLM_ATTEND_PASS); }

napi_value Attend(napi_env env, napi_callback_info info) {
  Args A;
  A.env = env;
  A.name = "attend";
  if (!A.Read(info, 18)) return nullptr;
  Dims D{A.v[9], A.v[10], A.v[11], A.v[12], A.v[13], A.v[14], A.v[15], A.v[16], 0, 0, 0};
  const bool ext = A.v[17] != 0;
  if (D.KV == 0 || D.H % D.KV != 0 || D.hd == 0 || (D.B * D.M > 0 && D.R == 0)) {
    Throw(env, "attend: heads must be a multiple of kv heads, the head size > 0 and the ranges table have rows");
    return nullptr;
  }
  D.rep = D.H / D.KV;
  D.S = D.P + D.T;
  D.Sp = (D.S + kLanes - 1) / kLanes * kLanes;
  const int64_t kvw = D.KV * D.hd;
  const float* q = A.At<float>(0, D.B * D.M * D.H * D.hd);
  const float* kOwn = q ? A.At<float>(1, D.B * D.T * kvw) : nullptr;
  const float* vOwn = kOwn ? A.At<float>(2, D.B * D.T * kvw) : nullptr;
  const float* kPre = vOwn ? A.At<float>(3, D.P * kvw) : nullptr;
  const float* vPre = kPre ? A.At<float>(4, D.P * kvw) : nullptr;
  const float* kExt = vPre ? A.At<float>(5, ext ? D.B * D.M * kvw : 0) : nullptr;
  const float* vExt = kExt ? A.At<float>(6, ext ? D.B * D.M * kvw : 0) : nullptr;
  const int32_t* ranges = vExt ? A.At<int32_t>(7, 2 * D.R) : nullptr;
  float* out = ranges ? A.At<float>(8, D.B * D.M * D.H * D.hd) : nullptr;
  if (!out) return nullptr;
  for (int64_t r = 0; r < D.R; r++) {
    if (ranges[2 * r] < 0 || ranges[2 * r] > ranges[2 * r + 1] || ranges[2 * r + 1] > D.S) {
      Throw(env, "attend: key range " + std::to_string(r) + " [" + std::to_string(ranges[2 * r]) + ", " + std::to_string(ranges[2 * r + 1]) + ") outside 0.." + std::to_string(D.S));
      return nullptr;
    }
  }
  if (D.hd > kMaxGenericHd) {
    Throw(env, "attend: head size " + std::to_string(D.hd) + " above " + std::to_string(kMaxGenericHd));
    return nullptr;
  }
  const size_t need = static_cast<size_t>(D.hd * D.Sp + D.S * D.hd + kTile * D.Sp);
  if (scratch.size() < need) scratch.resize(need);
  float* kT = scratch.data();
  float* vs = kT + D.hd * D.Sp;
  float* sc = vs + D.S * D.hd;
  for (int64_t b = 0; b < D.B; b++)
    for (int64_t g = 0; g < D.KV; g++) {
      const float* ke = ext ? kExt : nullptr;
      const float* ve = ext ? vExt : nullptr;
      if (D.hd == 16) AttendGroup16(D, b, g, q, kOwn, vOwn, kPre, vPre, ke, ve, ranges, out, kT, vs, sc);
      else if (D.hd == 32) AttendGroup32(D, b, g, q, kOwn, vOwn, kPre, vPre, ke, ve, ranges, out, kT, vs, sc);
      else if (D.hd == 64) AttendGroup64(D, b, g, q, kOwn, vOwn, kPre, vPre, ke, ve, ranges, out, kT, vs, sc);
      else AttendGroupN(D, b, g, q, kOwn, vOwn, kPre, vPre, ke, ve, ranges, out, kT, vs, sc);
    }
  return nullptr;
}

}  // namespace

// Adds the kernels above to the addon's exports (called by gemm.cc's module init).
void RegisterScore(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"ropeRows", nullptr, RopeRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attend", nullptr, Attend, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gatherRows", nullptr, GatherRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpResidual", nullptr, MlpResidual, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
