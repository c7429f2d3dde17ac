// hepllm's register-tiled matrix product for AVX-512 CPUs, used by native/fused.cc for the
// attention's products and the LoRA projection's frozen ones (header-only: fused.cc is the one
// translation unit that includes it, so scripts/build-native.js needs no new source).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

// Products in a register-tiled AVX-512 kernel where the CPU has it. The Debian OpenBLAS (0.3.21)
// runs its Haswell (AVX2) kernels on this machine's AMD CPU, ~100 GFLOP/s per core; 8×32 tiles
// of C kept in 16 zmm registers, B read straight from its rows (no packing), reach ~200 on the
// step's shapes ([512,256]·[256,256], the frozen projections) and ~2× OpenBLAS on the attention's
// small ones ([64,32]·[32,≤128], where OpenBLAS spends half its time packing and dispatching).
// Elsewhere (other CPUs, compilers other than GCC), or with HEPLLM_FUSED_TILED=0 (tests of the
// other path), OpenBLAS.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HEPLLM_TILED 1
#define HEPLLM_AVX512 __attribute__((target("avx512f,avx512vl,fma")))
typedef float V16 __attribute__((vector_size(64)));

// A tile of R rows × 16·NV columns of C, accumulated over k in registers; A's element (row r, k p)
// at A[r·lda + p], or at A[p·lda + r] when TA (A given transposed).
template <int R, int NV, bool TA>
HEPLLM_AVX512 inline __attribute__((always_inline)) void Tile(int64_t k, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  V16 acc[R][NV];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = V16{};
  for (int64_t p = 0; p < k; p++) {
    V16 b[NV];
    for (int v = 0; v < NV; v++) std::memcpy(&b[v], B + p * ldb + 16 * v, sizeof(V16));
    for (int r = 0; r < R; r++) {
      const float a = TA ? A[p * lda + r] : A[r * lda + p];
      for (int v = 0; v < NV; v++) acc[r][v] += a * b[v];
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) {
      float* c = C + r * ldc + 16 * v;
      V16 o = acc[r][v];
      if (accumulate) {
        V16 old;
        std::memcpy(&old, c, sizeof old);
        o += old;
      }
      std::memcpy(c, &o, sizeof o);
    }
}

// Rows [0, m) of one column strip of NV·16 columns: tiles of 8 rows, then 4, then 1.
template <int NV, bool TA>
HEPLLM_AVX512 inline void Strip(int64_t m, int64_t k, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  const auto row = [&](int64_t i) { return TA ? A + i : A + i * lda; };
  int64_t i = 0;
  for (; i + 8 <= m; i += 8) Tile<8, NV, TA>(k, row(i), lda, B, ldb, C + i * ldc, ldc, accumulate);
  for (; i + 4 <= m; i += 4) Tile<4, NV, TA>(k, row(i), lda, B, ldb, C + i * ldc, ldc, accumulate);
  for (; i < m; i++) Tile<1, NV, TA>(k, row(i), lda, B, ldb, C + i * ldc, ldc, accumulate);
}

// C [m, n] = op(A)·B [k, n] (+ C when accumulating), op(A) = A [m, k] or, when TA, Aᵀ with A [k, m]:
// k in blocks of 256 (a 32-column strip of B stays in L1/L2), strips of 32 columns, then 16, then
// the last columns one by one.
template <bool TA>
HEPLLM_AVX512 void TiledGemm(int64_t m, int64_t n, int64_t k, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  constexpr int64_t kBlock = 256;
  int64_t p0 = 0;
  do {
    const int64_t kk = std::min(kBlock, k - p0);
    const bool acc = accumulate || p0 > 0;
    const float* Ap = TA ? A + p0 * lda : A + p0;
    const float* Bp = B + p0 * ldb;
    int64_t j = 0;
    for (; j + 32 <= n; j += 32) Strip<2, TA>(m, kk, Ap, lda, Bp + j, ldb, C + j, ldc, acc);
    for (; j + 16 <= n; j += 16) Strip<1, TA>(m, kk, Ap, lda, Bp + j, ldb, C + j, ldc, acc);
    for (; j < n; j++)
      for (int64_t i = 0; i < m; i++) {
        float s = 0;
        for (int64_t p = 0; p < kk; p++) s += (TA ? Ap[p * lda + i] : Ap[i * lda + p]) * Bp[p * ldb + j];
        C[i * ldc + j] = acc ? C[i * ldc + j] + s : s;
      }
    p0 += kBlock;
  } while (p0 < k);
}

bool TiledGemmUsable() {
  const char* env = std::getenv("HEPLLM_FUSED_TILED");
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && !(env && std::strcmp(env, "0") == 0);
}
const bool kTiledGemm = TiledGemmUsable();
#endif

}  // namespace
