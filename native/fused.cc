// hepllm's fused training kernels: the decoder's element-wise blocks and its attention core, each
// forward and backward as one call on the tfjs wasm heap (in place, like gemm.cc's products), so a
// training step makes a few engine calls per layer instead of dozens of small wasm kernels,
// transposes and reshapes. Registered by lib/llm/kernels/native-fused.ts; every formula is the
// one of the plain-op path it replaces (lib/llm/model/{rmsnorm,mlp,rope,attention,linear}.ts).
//
// All arguments after the heap are whole numbers: byte offsets into the heap and dimensions
// (float `eps`/`scale` are passed as doubles). Every range is checked against the heap.
//
//   rmsNorm(heap, x, g, y, n, d, eps)              y = x·r·g, r = 1/√(mean(x²)+eps), x [n,d], g [d]
//   rmsNormGrad(heap, dy, x, g, dx, dg, n, d, eps) dx = r·u − x·r³·mean(x·u), u = g⊙dy; dg = Σ dy⊙x·r
//   swiglu(heap, g, u, y, count)                   y = g·σ(g)·u
//   swigluGrad(heap, dy, g, u, dg, du, count)      du = dy·g·σ(g), dg = dy·u·σ(g)·(1 + g(1−σ(g)))
//   attnProbs(heap, q, k, cq, sq, ck, sk, bias, biasBatched, p, B, Tq, S, H, KV, hd)
//     P [B, KV, Tq, rep, S] = softmax(rope(q)_h · rope(k)_gᵀ + bias), h = g·rep + r, rep = H/KV;
//     q [B·Tq, H·hd], k [B·S, KV·hd], cq/sq [B·Tq, hd], ck/sk [B·S, hd] (rotate-half tables,
//     query scale folded in), bias [B or 1, Tq, S] (biasBatched 1 or 0). Keys with bias ≤ −1e8
//     are skipped per query row (causal skipping, see kHidden): their P is exactly 0.
//   attnProbsGrad(heap, dP, p, q, k, cq, sq, ck, sk, bias, biasBatched, dq, dk, B, Tq, S, H, KV, hd)
//     dS = P⊙(dP − rowsum(dP⊙P)); dq = rope⁻¹(dS·rope(k)), dk = rope⁻¹(Σ_h dSᵀ·rope(q)).
//   attnApply(heap, p, v, bias, biasBatched, out, B, Tq, S, H, KV, hd)  out [B·Tq, H·hd], head h = P_h · v_g
//   attnApplyGrad(heap, dO, p, v, bias, biasBatched, dP, dv, B, Tq, S, H, KV, hd)
//     dP_h = dO_h·v_gᵀ, dv_g = Σ_h P_hᵀ·dO_h (the bias gives the same key spans as in attnProbs;
//     dP is written over them only, the part attnProbsGrad reads)
//   loraLinear(heap, x, xd, w, a, b, y, n, in, out, r, scale)   y = x·W + s·(xd·A)·B, W [in,out]
//     (xd: the branch's input, x itself or x after dropout)
//   loraLinearGrad(heap, dy, xd, a, b, da, db, dh, n, in, out, r, scale)  the LoRA branch's backward:
//     dh = s·dY·Bᵀ [n, r], dA = xdᵀ·dh, dB = s·(xd·A)ᵀ·dY (xd·A and dh computed once)
//   loraLinearGradX(heap, dy, w, a, dh, dx, n, in, out, r, part)  the input's: dx = dY·Wᵀ + dh·Aᵀ
//     (part 1), dY·Wᵀ (part 0) or dh·Aᵀ (part 2: the gradient of the dropped copy xd)
//   adamW(heap, p, g, m, v, pOut, mOut, vOut, n, beta1, beta2, 1−beta1, 1−beta2, eps, bc1, bc2, lr, decay)
//     m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², p' = decay·p − lr·(m'/bc1)/(√(v'/bc2) + eps)
//     (1−β given in double precision, rounded once, as the plain ops round their scalars)
#include <node_api.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "expf.h"
#include "tiled-gemm.h"

// The element-wise loops are built for AVX-512 and AVX2 as well as the baseline, picked at load
// time by the CPU (GCC's function multi-versioning; measured ~3× on SwiGLU over SSE2).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define HEPLLM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEPLLM_CLONES
#endif

namespace {

bool Throw(napi_env env, const std::string& msg) {
  napi_throw_range_error(env, nullptr, msg.c_str());
  return false;
}

// The call's arguments: the heap (argument 0) and `count` numbers after it.
struct Args {
  char* base = nullptr;
  size_t len = 0;
  double v[20] = {};
  const char* name;
  napi_env env;

  bool Read(napi_callback_info info, size_t count) {
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
      if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok || !std::isfinite(v[i])) {
        return Throw(env, std::string(name) + ": argument " + std::to_string(i + 1) + " must be a finite number");
      }
    }
    return true;
  }
  int64_t I(int i) const { return static_cast<int64_t>(v[i]); }
  // The float array at byte offset v[i] holding `floats` values, or nullptr (error thrown).
  float* F(int i, int64_t floats) {
    const int64_t off = I(i);
    if (v[i] != std::floor(v[i]) || off < 0 || off % 4 != 0 || floats < 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(floats) * 4 > len) {
      Throw(env, std::string(name) + ": operand " + std::to_string(i + 1) + " lies outside the heap");
      return nullptr;
    }
    return reinterpret_cast<float*>(base + off);
  }
  bool Dims(int from, int to) {
    for (int i = from; i < to; i++) {
      if (v[i] != std::floor(v[i]) || v[i] < 0 || v[i] > INT32_MAX) return Throw(env, std::string(name) + ": bad dimension");
    }
    return true;
  }
};

#define ARGS(label, count)      \
  Args A;                       \
  A.env = env;                  \
  A.name = label;               \
  if (!A.Read(info, count)) return nullptr;

// Scratch buffers reused between calls (one JS thread per addon instance calls these).
thread_local std::vector<float> scratch[8];
float* Scratch(int i, int64_t n) {
  if (static_cast<int64_t>(scratch[i].size()) < n) scratch[i].resize(n);
  return scratch[i].data();
}

// Σ x[i]·y[i], Σ x[i] and max x[i] in 8 lanes (lane l takes the terms i ≡ l mod 8 of the first
// 8·⌊n/8⌋, summed in lane order, then the tail in order), as GCC vectors: a float reduction
// vectorises only when written so (the same loops over float[8] stayed scalar).
typedef float V8 __attribute__((vector_size(32)));
inline V8 Load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline float Dot(const float* x, const float* y, int64_t n) {
  V8 acc = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) acc += Load8(x + j) * Load8(y + j);
  float s = 0;
  for (int l = 0; l < 8; l++) s += acc[l];
  for (; j < n; j++) s += x[j] * y[j];
  return s;
}
inline float Sum(const float* x, int64_t n) {
  V8 acc = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) acc += Load8(x + j);
  float s = 0;
  for (int l = 0; l < 8; l++) s += acc[l];
  for (; j < n; j++) s += x[j];
  return s;
}
inline float Max(const float* x, int64_t n) {
  V8 acc = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const V8 v = Load8(x + j);
    acc = v > acc ? v : acc;
  }
  float m = -INFINITY;
  for (int l = 0; l < 8; l++) m = acc[l] > m ? acc[l] : m;
  for (; j < n; j++) m = x[j] > m ? x[j] : m;
  return m;
}

// ---- RMSNorm ----

inline float InvRms(const float* x, int64_t d, double eps) {
  V8 acc = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= d; j += 8) {
    const V8 v = Load8(x + j);
    acc += v * v;
  }
  float ss = 0;
  for (int l = 0; l < 8; l++) ss += acc[l];
  for (; j < d; j++) ss += x[j] * x[j];
  return 1.0f / std::sqrt(ss / static_cast<float>(d) + static_cast<float>(eps));
}

HEPLLM_CLONES void RmsNormRows(const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ y, int64_t n, int64_t d, double eps) {
  for (int64_t i = 0; i < n; i++) {
    const float r = InvRms(x + i * d, d, eps);
    const float* xi = x + i * d;
    float* yi = y + i * d;
    for (int64_t j = 0; j < d; j++) yi[j] = xi[j] * r * g[j];
  }
}

napi_value RmsNorm(napi_env env, napi_callback_info info) {
  ARGS("rmsNorm", 6);
  if (!A.Dims(3, 5)) return nullptr;
  const int64_t n = A.I(3), d = A.I(4);
  const float* x = A.F(0, n * d);
  const float* g = x ? A.F(1, d) : nullptr;
  float* y = g ? A.F(2, n * d) : nullptr;
  if (!y) return nullptr;
  RmsNormRows(x, g, y, n, d, A.v[5]);
  return nullptr;
}

// Rows [0, n) of the RMSNorm backward, dg accumulated into dgAcc (vectorised: no aliasing).
HEPLLM_CLONES void RmsNormGradRows(const float* __restrict__ dy, const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ dx, float* __restrict__ dgAcc, int64_t n, int64_t d, double eps) {
  for (int64_t i = 0; i < n; i++) {
    const float* xi = x + i * d;
    const float* dyi = dy + i * d;
    float* dxi = dx + i * d;
    const float r = InvRms(xi, d, eps);
    V8 acc = {0, 0, 0, 0, 0, 0, 0, 0};  // Σ x·dy·g in 8 lanes
    int64_t j = 0;
    for (; j + 8 <= d; j += 8) acc += Load8(xi + j) * Load8(dyi + j) * Load8(g + j);
    float dot = 0;
    for (int l = 0; l < 8; l++) dot += acc[l];
    for (; j < d; j++) dot += xi[j] * dyi[j] * g[j];
    const float c = r * r * r * dot / static_cast<float>(d);
    for (int64_t k = 0; k < d; k++) {
      dxi[k] = dyi[k] * g[k] * r - xi[k] * c;
      dgAcc[k] += dyi[k] * xi[k] * r;
    }
  }
}

napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  ARGS("rmsNormGrad", 8);
  if (!A.Dims(5, 7)) return nullptr;
  const int64_t n = A.I(5), d = A.I(6);
  const float* dy = A.F(0, n * d);
  const float* x = dy ? A.F(1, n * d) : nullptr;
  const float* g = x ? A.F(2, d) : nullptr;
  float* dx = g ? A.F(3, n * d) : nullptr;
  float* dg = dx ? A.F(4, d) : nullptr;
  if (!dg) return nullptr;
  std::vector<float> dgAcc(d, 0.0f);
  RmsNormGradRows(dy, x, g, dx, dgAcc.data(), n, d, A.v[7]);
  std::memcpy(dg, dgAcc.data(), 4 * d);
  return nullptr;
}

// ---- SwiGLU ----

HEPLLM_CLONES void SwigluLoop(const float* __restrict__ g, const float* __restrict__ u, float* __restrict__ y, int64_t c) {
  for (int64_t i = 0; i < c; i++) {
    const float s = 1.0f / (1.0f + ExpF(-g[i]));  // as in SwigluGradLoop (g / (1 + e) ran ~3× slower)
    y[i] = g[i] * s * u[i];
  }
}

HEPLLM_CLONES void SwigluGradLoop(const float* dy, const float* g, const float* u, float* dg, float* du, int64_t c) {
  for (int64_t i = 0; i < c; i++) {
    const float s = 1.0f / (1.0f + ExpF(-g[i]));
    du[i] = dy[i] * g[i] * s;
    dg[i] = dy[i] * u[i] * s * (g[i] * (1.0f - s) + 1.0f);
  }
}

napi_value Swiglu(napi_env env, napi_callback_info info) {
  ARGS("swiglu", 4);
  if (!A.Dims(3, 4)) return nullptr;
  const int64_t c = A.I(3);
  const float* g = A.F(0, c);
  const float* u = g ? A.F(1, c) : nullptr;
  float* y = u ? A.F(2, c) : nullptr;
  if (!y) return nullptr;
  SwigluLoop(g, u, y, c);
  return nullptr;
}

napi_value SwigluGrad(napi_env env, napi_callback_info info) {
  ARGS("swigluGrad", 6);
  if (!A.Dims(5, 6)) return nullptr;
  const int64_t c = A.I(5);
  const float* dy = A.F(0, c);
  const float* g = dy ? A.F(1, c) : nullptr;
  const float* u = g ? A.F(2, c) : nullptr;
  float* dg = u ? A.F(3, c) : nullptr;
  float* du = dg ? A.F(4, c) : nullptr;
  if (!du) return nullptr;
  SwigluGradLoop(dy, g, u, dg, du, c);
  return nullptr;
}

// ---- products ----

inline void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0.0f) for (int64_t i = 0; i < m; i++) std::memset(c + i * ldc, 0, 4 * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Whether a product as big as the frozen projections' should run in the (single-threaded) tiled
// kernel: only while the BLAS pool has one thread (setThreads, lib/llm/kernels/native.ts).
inline bool Tiled(bool big) {
#ifdef HEPLLM_TILED
#if defined(OPENBLAS_VERSION) || defined(OPENBLAS_CONFIG_H)
  return kTiledGemm && (!big || openblas_get_num_threads() <= 1);
#else
  return kTiledGemm;
#endif
#else
  return false;
#endif
}

// C [m, n] = op(A)·B [k, n] (+ C when accumulating), row-major, op(A) = A [m, k] or Aᵀ (A [k, m]
// when ta): the attention's products and (big) the LoRA projection's frozen ones.
inline void Mm(bool ta, int64_t m, int64_t n, int64_t k, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc, bool accumulate, bool big = false) {
#ifdef HEPLLM_TILED
  if (Tiled(big)) return ta ? TiledGemm<true>(m, n, k, A, lda, B, ldb, C, ldc, accumulate) : TiledGemm<false>(m, n, k, A, lda, B, ldb, C, ldc, accumulate);
#endif
  Gemm(ta, false, m, n, k, 1.0f, A, lda, B, ldb, accumulate ? 1.0f : 0.0f, C, ldc);
}

// dst [cols, rows] (row stride ldd) ← src [rows, cols] (row stride lds) transposed: 8×8 blocks
// in registers (three rounds of lane shuffles), the edges one by one.
typedef int32_t I8 __attribute__((vector_size(32)));
HEPLLM_CLONES void TransposeTo(const float* __restrict__ src, int64_t rows, int64_t cols, int64_t lds, float* __restrict__ dst, int64_t ldd) {
#if defined(__GNUC__) && !defined(__clang__)
  const int64_t r8 = rows & ~int64_t{7}, c8 = cols & ~int64_t{7};
#else
  const int64_t r8 = 0, c8 = 0;  // (__builtin_shuffle is GCC's)
#endif
#if defined(__GNUC__) && !defined(__clang__)
  for (int64_t i = 0; i < r8; i += 8)
    for (int64_t j = 0; j < c8; j += 8) {
      V8 r[8], t[8], u[8];
      for (int k = 0; k < 8; k++) r[k] = Load8(src + (i + k) * lds + j);
      for (int k = 0; k < 8; k += 2) {
        t[k] = __builtin_shuffle(r[k], r[k + 1], I8{0, 8, 1, 9, 4, 12, 5, 13});
        t[k + 1] = __builtin_shuffle(r[k], r[k + 1], I8{2, 10, 3, 11, 6, 14, 7, 15});
      }
      for (int k = 0; k < 8; k += 4)
        for (int h = 0; h < 2; h++) {
          u[k + 2 * h] = __builtin_shuffle(t[k + h], t[k + h + 2], I8{0, 1, 8, 9, 4, 5, 12, 13});
          u[k + 2 * h + 1] = __builtin_shuffle(t[k + h], t[k + h + 2], I8{2, 3, 10, 11, 6, 7, 14, 15});
        }
      for (int k = 0; k < 4; k++) {
        const V8 lo = __builtin_shuffle(u[k], u[k + 4], I8{0, 1, 2, 3, 8, 9, 10, 11});
        const V8 hi = __builtin_shuffle(u[k], u[k + 4], I8{4, 5, 6, 7, 12, 13, 14, 15});
        std::memcpy(dst + (j + k) * ldd + i, &lo, sizeof lo);
        std::memcpy(dst + (j + k + 4) * ldd + i, &hi, sizeof hi);
      }
    }
#endif
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = i < r8 ? c8 : 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

// ---- attention ----

// Rotate-half RoPE of one head row: out = x·c + [−x₂, x₁]·s (inverse: sign flipped on s's side).
// The output never overlaps the inputs (__restrict__: without it the loops stay scalar).
inline void Rope(const float* __restrict__ x, const float* __restrict__ c, const float* __restrict__ s, float* __restrict__ out, int64_t hd) {
  const int64_t h = hd / 2;
  for (int64_t j = 0; j < h; j++) {
    out[j] = x[j] * c[j] - x[j + h] * s[j];
    out[j + h] = x[j + h] * c[j + h] + x[j] * s[j + h];
  }
}
inline void RopeBack(const float* __restrict__ dy, const float* __restrict__ c, const float* __restrict__ s, float* __restrict__ dx, int64_t hd) {
  const int64_t h = hd / 2;
  for (int64_t j = 0; j < h; j++) {
    dx[j] = dy[j] * c[j] + dy[j + h] * s[j + h];
    dx[j + h] = dy[j + h] * c[j + h] - dy[j] * s[j];
  }
}

// Causal skipping. A key hidden from a query (bias ≤ kHidden; lib/llm/model/mask.ts writes −1e9)
// gets probability exactly 0 in float32 whenever the query sees some key: score − 1e9 − max lies
// far below −80, where ExpF returns 0 (exact unless the scores themselves are ~1e8 apart). So each
// query row only touches its span [lo, hi) from its first to its last visible key, rounded out to
// multiples of 8: the 8-lane maxima and sums then add the same terms in the same lanes as over the
// whole row (the skipped terms were +0), and P is bit-identical to the full computation given the
// same scores. A row that sees no key (a padding query) keeps the whole row: the plain path's flat
// softmax. The products run per block of kRowBlock query rows (all rep heads of a group together)
// over the union of the block's spans: for causal T = 128 that is 62.5 % of the work, and blocks
// of 32 keep OpenBLAS near its speed on these small shapes (measured against 8, 16, 64, 128).
constexpr float kHidden = -1e8f;
constexpr int64_t kRowBlock = 32;

// Whether all of x[0..8) are hidden (8 at a time: the scan of a causal row is as long as the row).
inline bool Hidden8(const float* x) {
  const V8 v = Load8(x);
  const V8 h = {kHidden, kHidden, kHidden, kHidden, kHidden, kHidden, kHidden, kHidden};
  const auto m = v <= h;
  bool all = true;
  for (int l = 0; l < 8; l++) all = all && m[l] != 0;
  return all;
}

// The span of every bias row [nb·Tq] (nb = B or 1).
struct Spans {
  std::vector<int32_t> lo, hi;
  void Of(const float* bias, int64_t nb, int64_t tq, int64_t S) {
    lo.resize(nb * tq);
    hi.resize(nb * tq);
    for (int64_t i = 0; i < nb * tq; i++) {
      const float* br = bias + i * S;
      int64_t a = 0;
      while (a + 8 <= S && Hidden8(br + a)) a += 8;
      while (a < S && br[a] <= kHidden) a++;
      if (a == S) {
        lo[i] = 0;
        hi[i] = static_cast<int32_t>(S);
        continue;
      }
      int64_t z = S;
      while (z - 8 > a && Hidden8(br + z - 8)) z -= 8;
      while (br[z - 1] <= kHidden) z--;
      lo[i] = static_cast<int32_t>(a & ~int64_t{7});
      hi[i] = static_cast<int32_t>(std::min(S, (z + 7) & ~int64_t{7}));
    }
  }
  // The union of rows [t0, t1)'s spans (rows of one bias batch row, from `at`).
  void Block(int64_t at, int64_t t0, int64_t t1, int64_t& blo, int64_t& bhi) const {
    blo = INT32_MAX;
    bhi = 0;
    for (int64_t t = t0; t < t1; t++) {
      blo = std::min<int64_t>(blo, lo[at + t]);
      bhi = std::max<int64_t>(bhi, hi[at + t]);
    }
    if (blo > bhi) blo = bhi;
  }
};
thread_local Spans spans;

// Query rows [t0, t1) of one group (rep rows each, t-major, rows of S) ← softmax(x + bias) over
// each row's span, zero elsewhere; bias rows [Tq, S] of this batch row, spans lo/hi per query.
HEPLLM_CLONES void SoftmaxRows(float* p, const float* bias, const int32_t* lo, const int32_t* hi, int64_t t0, int64_t t1, int64_t rep, int64_t S) {
  for (int64_t t = t0; t < t1; t++) {
    const float* br = bias + t * S;
    const int64_t a = lo[t], z = hi[t], n = z - a;
    for (int64_t r = 0; r < rep; r++) {
      float* x = p + (t * rep + r) * S;
      std::memset(x, 0, 4 * a);
      std::memset(x + z, 0, 4 * (S - z));
      float* xs = x + a;
      const float* bs = br + a;
      for (int64_t s = 0; s < n; s++) xs[s] += bs[s];
      const float mx = Max(xs, n);
      for (int64_t s = 0; s < n; s++) xs[s] = ExpF(xs[s] - mx);
      const float inv = 1.0f / Sum(xs, n);
      for (int64_t s = 0; s < n; s++) xs[s] *= inv;
    }
  }
}

// dS = P ⊙ (dP − rowsum(dP ⊙ P)) for query rows [t0, t1) (rep rows each) over each row's span,
// zero in the rest of [blo, bhi); P is zero outside the span, so the row sums are the full ones.
HEPLLM_CLONES void SoftmaxGradRows(const float* p, const float* dP, float* dS, const int32_t* lo, const int32_t* hi, int64_t t0, int64_t t1, int64_t rep, int64_t S, int64_t blo, int64_t bhi) {
  for (int64_t t = t0; t < t1; t++) {
    const int64_t a = lo[t], z = hi[t], n = z - a;
    for (int64_t r = 0; r < rep; r++) {
      const int64_t row = (t * rep + r) * S;
      const float* pr = p + row + a;
      const float* dr = dP + row + a;
      float* o = dS + ((t - t0) * rep + r) * S;
      std::memset(o + blo, 0, 4 * (a - blo));
      std::memset(o + z, 0, 4 * (bhi - z));
      const float dot = Dot(dr, pr, n);
      for (int64_t s = 0; s < n; s++) o[a + s] = pr[s] * (dr[s] - dot);
    }
  }
}

struct AttnDims {
  int64_t B, Tq, S, H, KV, hd, rep;
  bool Read(Args& A, int from) {
    if (!A.Dims(from, from + 6)) return false;
    B = A.I(from), Tq = A.I(from + 1), S = A.I(from + 2), H = A.I(from + 3), KV = A.I(from + 4), hd = A.I(from + 5);
    if (KV == 0 || H % KV != 0 || hd % 2 != 0) return Throw(A.env, std::string(A.name) + ": heads must be a multiple of kv heads and the head size even");
    rep = H / KV;
    return true;
  }
  // Floats in q [B·Tq, H·hd], k and v [B·S, KV·hd], P [B, KV, Tq, rep, S] and a rope table [B·Tq or B·S, hd].
  int64_t Q() const { return B * Tq * H * hd; }
  int64_t K() const { return B * S * KV * hd; }
  int64_t P() const { return B * H * Tq * S; }
};

// The bias [B or 1, Tq, S] at argument i (batched flag at i + 1) and its spans; nullptr on error.
const float* ReadBias(Args& A, const AttnDims& D, int i) {
  const bool batched = A.I(i + 1) != 0;
  const float* bias = A.F(i, (batched ? D.B : 1) * D.Tq * D.S);
  if (bias) spans.Of(bias, batched ? D.B : 1, D.Tq, D.S);
  return bias;
}
inline int64_t BiasRow(const Args& A, int i, int64_t b) { return A.I(i + 1) != 0 ? b : 0; }

// Rotated queries of group (b, g) as [Tq·rep, hd] (row t·rep + r: head g·rep + r) and keys [S, hd].
HEPLLM_CLONES void RotatedGroup(const AttnDims& D, const float* q, const float* k, const float* cq, const float* sq, const float* ck, const float* sk, int64_t b, int64_t g, float* qs, float* ks) {
  const int64_t hd = D.hd;
  for (int64_t t = 0; t < D.Tq; t++) {
    const int64_t row = b * D.Tq + t;
    for (int64_t r = 0; r < D.rep; r++) Rope(q + row * D.H * hd + (g * D.rep + r) * hd, cq + row * hd, sq + row * hd, qs + (t * D.rep + r) * hd, hd);
  }
  for (int64_t s = 0; s < D.S; s++) {
    const int64_t row = b * D.S + s;
    Rope(k + row * D.KV * hd + g * hd, ck + row * hd, sk + row * hd, ks + s * hd, hd);
  }
}

// The inverse: dq, dk of group (b, g) from the rotated gradients dqs [Tq·rep, hd], dks [S, hd].
HEPLLM_CLONES void RotatedGroupBack(const AttnDims& D, const float* dqs, const float* dks, const float* cq, const float* sq, const float* ck, const float* sk, int64_t b, int64_t g, float* dq, float* dk) {
  const int64_t hd = D.hd;
  for (int64_t t = 0; t < D.Tq; t++) {
    const int64_t row = b * D.Tq + t;
    for (int64_t r = 0; r < D.rep; r++) RopeBack(dqs + (t * D.rep + r) * hd, cq + row * hd, sq + row * hd, dq + row * D.H * hd + (g * D.rep + r) * hd, hd);
  }
  for (int64_t s = 0; s < D.S; s++) {
    const int64_t row = b * D.S + s;
    RopeBack(dks + s * hd, ck + row * hd, sk + row * hd, dk + row * D.KV * hd + g * hd, hd);
  }
}

napi_value AttnProbs(napi_env env, napi_callback_info info) {
  ARGS("attnProbs", 15);
  AttnDims D;
  if (!D.Read(A, 9)) return nullptr;
  const int64_t hd = D.hd, nq = D.B * D.Tq, nk = D.B * D.S;
  const float* q = A.F(0, D.Q());
  const float* k = q ? A.F(1, D.K()) : nullptr;
  const float* cq = k ? A.F(2, nq * hd) : nullptr;
  const float* sq = cq ? A.F(3, nq * hd) : nullptr;
  const float* ck = sq ? A.F(4, nk * hd) : nullptr;
  const float* sk = ck ? A.F(5, nk * hd) : nullptr;
  const float* bias = sk ? ReadBias(A, D, 6) : nullptr;
  float* p = bias ? A.F(8, D.P()) : nullptr;
  if (!p || D.B * D.Tq * D.S == 0) return nullptr;
  const int64_t m = D.rep * D.Tq;
  float* qs = Scratch(0, m * hd);
  float* ks = Scratch(1, D.S * hd);
  float* ksT = Scratch(2, hd * D.S);
  for (int64_t b = 0; b < D.B; b++) {
    const int64_t bb = BiasRow(A, 6, b);
    const int32_t* lo = spans.lo.data() + bb * D.Tq;
    const int32_t* hi = spans.hi.data() + bb * D.Tq;
    for (int64_t g = 0; g < D.KV; g++) {
      RotatedGroup(D, q, k, cq, sq, ck, sk, b, g, qs, ks);
      TransposeTo(ks, D.S, hd, hd, ksT, D.S);
      float* pg = p + (b * D.KV + g) * m * D.S;
      for (int64_t t0 = 0; t0 < D.Tq; t0 += kRowBlock) {
        const int64_t t1 = std::min(D.Tq, t0 + kRowBlock);
        int64_t blo, bhi;
        spans.Block(bb * D.Tq, t0, t1, blo, bhi);
        Mm(false, (t1 - t0) * D.rep, bhi - blo, hd, qs + t0 * D.rep * hd, hd, ksT + blo, D.S, pg + t0 * D.rep * D.S + blo, D.S, false);
        SoftmaxRows(pg, bias + bb * D.Tq * D.S, lo, hi, t0, t1, D.rep, D.S);
      }
    }
  }
  return nullptr;
}

napi_value AttnProbsGrad(napi_env env, napi_callback_info info) {
  ARGS("attnProbsGrad", 18);
  AttnDims D;
  if (!D.Read(A, 12)) return nullptr;
  const int64_t hd = D.hd, nq = D.B * D.Tq, nk = D.B * D.S;
  const float* dP = A.F(0, D.P());
  const float* p = dP ? A.F(1, D.P()) : nullptr;
  const float* q = p ? A.F(2, D.Q()) : nullptr;
  const float* k = q ? A.F(3, D.K()) : nullptr;
  const float* cq = k ? A.F(4, nq * hd) : nullptr;
  const float* sq = cq ? A.F(5, nq * hd) : nullptr;
  const float* ck = sq ? A.F(6, nk * hd) : nullptr;
  const float* sk = ck ? A.F(7, nk * hd) : nullptr;
  const float* bias = sk ? ReadBias(A, D, 8) : nullptr;
  float* dq = bias ? A.F(10, D.Q()) : nullptr;
  float* dk = dq ? A.F(11, D.K()) : nullptr;
  if (!dk) return nullptr;
  const int64_t m = D.rep * D.Tq;
  float* qs = Scratch(0, m * hd);
  float* ks = Scratch(1, D.S * hd);
  float* dS = Scratch(2, std::min(D.Tq, kRowBlock) * D.rep * D.S);
  float* dqs = Scratch(3, m * hd);
  float* dks = Scratch(4, D.S * hd);
  for (int64_t b = 0; b < D.B; b++) {
    const int64_t bb = BiasRow(A, 8, b);
    const int32_t* lo = spans.lo.data() + bb * D.Tq;
    const int32_t* hi = spans.hi.data() + bb * D.Tq;
    for (int64_t g = 0; g < D.KV; g++) {
      const int64_t at = (b * D.KV + g) * m * D.S;
      RotatedGroup(D, q, k, cq, sq, ck, sk, b, g, qs, ks);
      std::memset(dks, 0, 4 * D.S * hd);
      for (int64_t t0 = 0; t0 < D.Tq; t0 += kRowBlock) {
        const int64_t t1 = std::min(D.Tq, t0 + kRowBlock), rows = (t1 - t0) * D.rep;
        int64_t blo, bhi;
        spans.Block(bb * D.Tq, t0, t1, blo, bhi);
        SoftmaxGradRows(p + at, dP + at, dS, lo, hi, t0, t1, D.rep, D.S, blo, bhi);
        Mm(false, rows, hd, bhi - blo, dS + blo, D.S, ks + blo * hd, hd, dqs + t0 * D.rep * hd, hd, false);
        Mm(true, bhi - blo, hd, rows, dS + blo, D.S, qs + t0 * D.rep * hd, hd, dks + blo * hd, hd, true);
      }
      RotatedGroupBack(D, dqs, dks, cq, sq, ck, sk, b, g, dq, dk);
    }
  }
  return nullptr;
}

napi_value AttnApply(napi_env env, napi_callback_info info) {
  ARGS("attnApply", 11);
  AttnDims D;
  if (!D.Read(A, 5)) return nullptr;
  const int64_t hd = D.hd, m = D.rep * D.Tq;
  const float* p = A.F(0, D.P());
  const float* v = p ? A.F(1, D.K()) : nullptr;
  const float* bias = v ? ReadBias(A, D, 2) : nullptr;
  float* out = bias ? A.F(4, D.Q()) : nullptr;
  if (!out || D.Tq == 0 || hd == 0) return nullptr;
  float* o = Scratch(0, std::min(D.Tq, kRowBlock) * D.rep * hd);
  for (int64_t b = 0; b < D.B; b++) {
    const int64_t bb = BiasRow(A, 2, b);
    for (int64_t g = 0; g < D.KV; g++) {
      const float* pg = p + (b * D.KV + g) * m * D.S;
      for (int64_t t0 = 0; t0 < D.Tq; t0 += kRowBlock) {
        const int64_t t1 = std::min(D.Tq, t0 + kRowBlock);
        int64_t blo, bhi;
        spans.Block(bb * D.Tq, t0, t1, blo, bhi);
        Mm(false, (t1 - t0) * D.rep, hd, bhi - blo, pg + t0 * D.rep * D.S + blo, D.S, v + (b * D.S + blo) * D.KV * hd + g * hd, D.KV * hd, o, hd, false);
        // The rep heads of one query are adjacent in out [B·Tq, H·hd].
        for (int64_t t = t0; t < t1; t++) std::memcpy(out + (b * D.Tq + t) * D.H * hd + g * D.rep * hd, o + (t - t0) * D.rep * hd, 4 * D.rep * hd);
      }
    }
  }
  return nullptr;
}

napi_value AttnApplyGrad(napi_env env, napi_callback_info info) {
  ARGS("attnApplyGrad", 13);
  AttnDims D;
  if (!D.Read(A, 7)) return nullptr;
  const int64_t hd = D.hd, m = D.rep * D.Tq;
  const float* dO = A.F(0, D.Q());
  const float* p = dO ? A.F(1, D.P()) : nullptr;
  const float* v = p ? A.F(2, D.K()) : nullptr;
  const float* bias = v ? ReadBias(A, D, 3) : nullptr;
  float* dP = bias ? A.F(5, D.P()) : nullptr;
  float* dv = dP ? A.F(6, D.K()) : nullptr;
  if (!dv) return nullptr;
  if (D.Tq == 0 || hd == 0) {
    std::memset(dP, 0, 4 * D.P());
    std::memset(dv, 0, 4 * D.K());
    return nullptr;
  }
  if (D.S == 0) return nullptr;
  const int64_t blockRows = std::min(D.Tq, kRowBlock) * D.rep;
  float* o = Scratch(0, blockRows * hd);
  float* vT = Scratch(1, hd * D.S);
  for (int64_t b = 0; b < D.B; b++) {
    const int64_t bb = BiasRow(A, 3, b);
    for (int64_t g = 0; g < D.KV; g++) {
      const float* pg = p + (b * D.KV + g) * m * D.S;
      float* dPg = dP + (b * D.KV + g) * m * D.S;
      float* dvg = dv + b * D.S * D.KV * hd + g * hd;
      TransposeTo(v + b * D.S * D.KV * hd + g * hd, D.S, hd, D.KV * hd, vT, D.S);
      for (int64_t s = 0; s < D.S; s++) std::memset(dvg + s * D.KV * hd, 0, 4 * hd);
      for (int64_t t0 = 0; t0 < D.Tq; t0 += kRowBlock) {
        const int64_t t1 = std::min(D.Tq, t0 + kRowBlock), rows = (t1 - t0) * D.rep;
        int64_t blo, bhi;
        spans.Block(bb * D.Tq, t0, t1, blo, bhi);
        for (int64_t t = t0; t < t1; t++) std::memcpy(o + (t - t0) * D.rep * hd, dO + (b * D.Tq + t) * D.H * hd + g * D.rep * hd, 4 * D.rep * hd);
        // dP only over the block's keys [blo, bhi): attnProbsGrad reads each row's span, no more.
        Mm(false, rows, bhi - blo, hd, o, hd, vT + blo, D.S, dPg + t0 * D.rep * D.S + blo, D.S, false);
        Mm(true, bhi - blo, hd, rows, pg + t0 * D.rep * D.S + blo, D.S, o, hd, dvg + blo * D.KV * hd, D.KV * hd, true);
      }
    }
  }
  return nullptr;
}

// ---- LoRA linear ----

struct LoraDims {
  int64_t n, in, out, r;
  float scale;
  bool Read(Args& A, int from) {
    if (!A.Dims(from, from + 4)) return false;
    n = A.I(from), in = A.I(from + 1), out = A.I(from + 2), r = A.I(from + 3);
    scale = static_cast<float>(A.v[from + 4]);
    return true;
  }
};

napi_value LoraLinear(napi_env env, napi_callback_info info) {
  ARGS("loraLinear", 11);
  LoraDims D;
  if (!D.Read(A, 6)) return nullptr;
  const float* x = A.F(0, D.n * D.in);
  const float* xd = x ? A.F(1, D.n * D.in) : nullptr;
  const float* w = xd ? A.F(2, D.in * D.out) : nullptr;
  const float* a = w ? A.F(3, D.in * D.r) : nullptr;
  const float* b = a ? A.F(4, D.r * D.out) : nullptr;
  float* y = b ? A.F(5, D.n * D.out) : nullptr;
  if (!y) return nullptr;
  float* h = Scratch(0, D.n * D.r);
  Mm(false, D.n, D.out, D.in, x, D.in, w, D.out, y, D.out, false, true);
  Gemm(false, false, D.n, D.r, D.in, 1.0f, xd, D.in, a, D.r, 0.0f, h, D.r);
  for (int64_t i = 0; i < D.n * D.r; i++) h[i] *= D.scale;  // y += (s·h)·B: rank-r k, tiled
  Mm(false, D.n, D.out, D.r, h, D.r, b, D.out, y, D.out, true);
  return nullptr;
}

// The backward of y = x·W + s·(xb·A)·B (xb: the branch's input, x itself or its dropped copy) in
// two calls, so that the frozen product's dX = dY·Wᵀ is computed only where the tape asks for it
// (not for the first layer's q/k/v inputs: nothing trainable lies below them):
//   loraLinearGrad:  h = xb·A, dh = s·dY·Bᵀ [n, r] (an output: loraLinearGradX reuses it),
//                    dA = xbᵀ·dh, dB = s·hᵀ·dY;
//   loraLinearGradX: dX = dY·Wᵀ + dh·Aᵀ (part 1), dY·Wᵀ alone (part 0: with dropout, where
//                    dXb = dh·Aᵀ is its own gradient) or dh·Aᵀ alone (part 2: that dXb).
napi_value LoraLinearGrad(napi_env env, napi_callback_info info) {
  ARGS("loraLinearGrad", 12);
  LoraDims D;
  if (!D.Read(A, 7)) return nullptr;
  const float* dy = A.F(0, D.n * D.out);
  const float* xb = dy ? A.F(1, D.n * D.in) : nullptr;
  const float* a = xb ? A.F(2, D.in * D.r) : nullptr;
  const float* b = a ? A.F(3, D.r * D.out) : nullptr;
  float* da = b ? A.F(4, D.in * D.r) : nullptr;
  float* db = da ? A.F(5, D.r * D.out) : nullptr;
  float* dh = db ? A.F(6, D.n * D.r) : nullptr;
  if (!dh) return nullptr;
  float* h = Scratch(0, D.n * D.r);
  Gemm(false, false, D.n, D.r, D.in, 1.0f, xb, D.in, a, D.r, 0.0f, h, D.r);
  Gemm(false, true, D.n, D.r, D.out, D.scale, dy, D.out, b, D.out, 0.0f, dh, D.r);
  Gemm(true, false, D.in, D.r, D.n, 1.0f, xb, D.in, dh, D.r, 0.0f, da, D.r);
  for (int64_t i = 0; i < D.n * D.r; i++) h[i] *= D.scale;  // dB = (s·h)ᵀ·dY: r rows, tiled
  Mm(true, D.r, D.out, D.n, h, D.r, dy, D.out, db, D.out, false);
  return nullptr;
}

napi_value LoraLinearGradX(napi_env env, napi_callback_info info) {
  ARGS("loraLinearGradX", 10);
  if (!A.Dims(5, 10)) return nullptr;
  const int64_t n = A.I(5), in = A.I(6), out = A.I(7), r = A.I(8), part = A.I(9);
  if (part > 2) {
    Throw(env, "loraLinearGradX: part must be 0, 1 or 2");
    return nullptr;
  }
  const float* dy = A.F(0, n * out);
  const float* w = dy ? A.F(1, in * out) : nullptr;
  const float* a = w ? A.F(2, in * r) : nullptr;
  const float* dh = a ? A.F(3, n * r) : nullptr;
  float* dx = dh ? A.F(4, n * in) : nullptr;
  if (!dx) return nullptr;
  if (part != 2) {
#ifdef HEPLLM_TILED
    if (Tiled(true)) {  // the tiled kernel wants B by rows: Wᵀ [out, in] (~10 % of the product's time)
      float* wT = Scratch(2, in * out);
      TransposeTo(w, in, out, out, wT, in);
      Mm(false, n, in, out, dy, out, wT, in, dx, in, false, true);
    } else
#endif
      Gemm(false, true, n, in, out, 1.0f, dy, out, w, out, 0.0f, dx, in);
  }
  if (part != 0) Gemm(false, true, n, in, r, 1.0f, dh, r, a, r, part == 1 ? 1.0f : 0.0f, dx, in);
  return nullptr;
}

// ---- AdamW ----

// (outputs are fresh tensors: never the inputs' memory.)
HEPLLM_CLONES void AdamWLoop(const float* __restrict__ p, const float* __restrict__ g, const float* __restrict__ m, const float* __restrict__ v, float* __restrict__ po, float* __restrict__ mo, float* __restrict__ vo, int64_t n,
                             float beta1, float beta2, float c1, float c2, float eps, float bc1, float bc2, float lr, float decay) {
  for (int64_t i = 0; i < n; i++) {
    const float mn = m[i] * beta1 + g[i] * c1;
    const float vn = v[i] * beta2 + g[i] * g[i] * c2;
    mo[i] = mn;
    vo[i] = vn;
    const float update = (mn / bc1) / (std::sqrt(vn / bc2) + eps);
    po[i] = p[i] * decay - update * lr;
  }
}

napi_value AdamW(napi_env env, napi_callback_info info) {
  ARGS("adamW", 17);
  if (!A.Dims(7, 8)) return nullptr;
  const int64_t n = A.I(7);
  const float* p = A.F(0, n);
  const float* g = p ? A.F(1, n) : nullptr;
  const float* m = g ? A.F(2, n) : nullptr;
  const float* v = m ? A.F(3, n) : nullptr;
  float* po = v ? A.F(4, n) : nullptr;
  float* mo = po ? A.F(5, n) : nullptr;
  float* vo = mo ? A.F(6, n) : nullptr;
  if (!vo) return nullptr;
  const auto f = [&](int i) { return static_cast<float>(A.v[i]); };
  AdamWLoop(p, g, m, v, po, mo, vo, n, f(8), f(9), f(10), f(11), f(12), f(13), f(14), f(15), f(16));
  return nullptr;
}

}  // namespace

// Adds the kernels above to the addon's exports (called by gemm.cc's module init).
void RegisterFused(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"rmsNorm", nullptr, RmsNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNormGrad", nullptr, RmsNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swiglu", nullptr, Swiglu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swigluGrad", nullptr, SwigluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attnProbs", nullptr, AttnProbs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attnProbsGrad", nullptr, AttnProbsGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attnApply", nullptr, AttnApply, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attnApplyGrad", nullptr, AttnApplyGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinear", nullptr, LoraLinear, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinearGrad", nullptr, LoraLinearGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinearGradX", nullptr, LoraLinearGradX, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamW", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
