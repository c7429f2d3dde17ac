// hepllm's native matrix products: an N-API addon that runs single-precision GEMMs with a BLAS
// (OpenBLAS on Debian) directly on the tfjs wasm backend's heap, an ArrayBuffer the caller
// passes in, at byte offsets the caller takes from the backend's tensor table. No copies: the
// operands and the output are read and written in place. Built by scripts/build-native.js.
//
// Exports:
//   sgemm(heap, batch, m, n, k, transA, transB, aOff, aStride, bOff, bStride, cOff,
//         biasOff, biasLen, activation, alpha)
//     C[i] = act(op(A[i]) · op(B[i]) + bias) for i < batch, row-major float32; op(A) is [m,k],
//     op(B) is [k,n], C[i] is [m,n] at cOff + i·m·n·4 bytes. Offsets in bytes, strides in elements
//     (0 broadcasts one matrix to every batch entry). biasOff < 0: no bias; biasLen 1 or n
//     (added to every row). activation: 0 linear, 1 relu, 2 relu6, 3 leakyrelu(alpha), 4 sigmoid,
//     5 elu. Every operand range is checked against the heap's length (a RangeError otherwise).
//   transpose(heap, xOff, outOff, shape, perm)
//     out = x transposed by perm, for 4-byte elements (float32, int32); shape and perm are arrays.
//     Unit dims dropped, dims that stay adjacent merged; then row copies when the innermost dim
//     stays innermost, else 32×32 tiles over the two dims that are innermost in x and in out.
//   setThreads(n), threads(): the BLAS thread pool's size.
//   config(): the BLAS library's own description (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... SkylakeX").
//   The fused training kernels of native/fused.cc (RMSNorm, SwiGLU, attention, LoRA linear).
//   clusterGenKt: jet clustering (native/cluster.cc).
#include <node_api.h>
#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#include <algorithm>

#if defined(OPENBLAS_VERSION) || defined(OPENBLAS_CONFIG_H)
#define HEPLLM_OPENBLAS 1
#endif

namespace {

bool Throw(napi_env env, const std::string& msg, bool range = false) {
  if (range) napi_throw_range_error(env, nullptr, msg.c_str());
  else napi_throw_type_error(env, nullptr, msg.c_str());
  return false;
}

// Reads argument i as a whole number (a JS number or boolean); false with a thrown error otherwise.
bool Int(napi_env env, napi_value v, const char* name, int64_t* out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b ? 1 : 0;
    return true;
  }
  double d;
  if (t != napi_number || napi_get_value_double(env, v, &d) != napi_ok || !std::isfinite(d) || d != std::floor(d)) {
    return Throw(env, std::string("sgemm: ") + name + " must be a whole number");
  }
  *out = static_cast<int64_t>(d);
  return true;
}

// Whether [off, off + floats·4) lies inside a heap of `len` bytes, 4-byte aligned.
bool InHeap(int64_t off, int64_t floats, size_t len) {
  return off >= 0 && off % 4 == 0 && floats >= 0 && static_cast<uint64_t>(off) + static_cast<uint64_t>(floats) * 4 <= len;
}

void Activate(float* c, int64_t count, int64_t act, float alpha) {
  switch (act) {
    case 1: for (int64_t i = 0; i < count; i++) c[i] = c[i] > 0 ? c[i] : 0; break;
    case 2: for (int64_t i = 0; i < count; i++) c[i] = c[i] < 0 ? 0 : (c[i] > 6 ? 6 : c[i]); break;
    case 3: for (int64_t i = 0; i < count; i++) c[i] = c[i] >= 0 ? c[i] : alpha * c[i]; break;
    case 4: for (int64_t i = 0; i < count; i++) c[i] = 1.0f / (1.0f + std::exp(-c[i])); break;
    case 5: for (int64_t i = 0; i < count; i++) c[i] = c[i] >= 0 ? c[i] : std::expm1(c[i]); break;
    default: break;
  }
}

napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 16) {
    Throw(env, "sgemm: expected 16 arguments (heap, batch, m, n, k, transA, transB, aOff, aStride, bOff, bStride, cOff, biasOff, biasLen, activation, alpha)");
    return nullptr;
  }
  void* data = nullptr;
  size_t len = 0;
  bool isAb = false;
  napi_is_arraybuffer(env, argv[0], &isAb);
  if (!isAb || napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok) {
    Throw(env, "sgemm: heap must be an ArrayBuffer (the wasm memory's buffer)");
    return nullptr;
  }
  static const char* names[15] = {"batch", "m", "n", "k", "transA", "transB", "aOff", "aStride", "bOff", "bStride", "cOff", "biasOff", "biasLen", "activation", "alpha"};
  int64_t v[14];
  for (int i = 0; i < 14; i++) {
    if (!Int(env, argv[i + 1], names[i], &v[i])) return nullptr;
  }
  double alphaD = 0;
  napi_get_value_double(env, argv[15], &alphaD);
  const int64_t batch = v[0], m = v[1], n = v[2], k = v[3];
  const bool ta = v[4] != 0, tb = v[5] != 0;
  const int64_t aOff = v[6], aStride = v[7], bOff = v[8], bStride = v[9], cOff = v[10];
  const int64_t biasOff = v[11], biasLen = v[12], act = v[13];
  const int64_t limit = INT32_MAX;  // BLAS takes int dimensions
  if (batch < 0 || m < 0 || n < 0 || k < 0 || m > limit || n > limit || k > limit || aStride < 0 || bStride < 0) {
    Throw(env, "sgemm: negative or too large dimension", true);
    return nullptr;
  }
  if (batch == 0 || m == 0 || n == 0) return nullptr;
  const int64_t last = batch - 1;
  if (!InHeap(aOff, last * aStride + m * k, len) || !InHeap(bOff, last * bStride + k * n, len) || !InHeap(cOff, batch * m * n, len)) {
    Throw(env, "sgemm: an operand lies outside the heap", true);
    return nullptr;
  }
  if (biasOff >= 0 && (!(biasLen == 1 || biasLen == n) || !InHeap(biasOff, biasLen, len))) {
    Throw(env, "sgemm: bias must hold 1 or n floats inside the heap", true);
    return nullptr;
  }
  if (act < 0 || act > 5) {
    Throw(env, "sgemm: unknown activation code", true);
    return nullptr;
  }
  char* base = static_cast<char*>(data);
  const float* a = reinterpret_cast<const float*>(base + aOff);
  const float* b = reinterpret_cast<const float*>(base + bOff);
  float* c = reinterpret_cast<float*>(base + cOff);
  const float* bias = biasOff >= 0 ? reinterpret_cast<const float*>(base + biasOff) : nullptr;
  const int lda = static_cast<int>(ta ? m : k), ldb = static_cast<int>(tb ? k : n), ldc = static_cast<int>(n);
  for (int64_t i = 0; i < batch; i++) {
    float* ci = c + i * m * n;
    if (k == 0) {
      std::memset(ci, 0, sizeof(float) * m * n);
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                  static_cast<int>(k), 1.0f, a + i * aStride, lda, b + i * bStride, ldb, 0.0f, ci, ldc);
    }
    if (bias) {
      for (int64_t r = 0; r < m; r++) {
        float* row = ci + r * n;
        if (biasLen == 1) for (int64_t j = 0; j < n; j++) row[j] += bias[0];
        else for (int64_t j = 0; j < n; j++) row[j] += bias[j];
      }
    }
    if (act) Activate(ci, m * n, act, static_cast<float>(alphaD));
  }
  return nullptr;
}

// Reads a JS array of whole numbers into v; false with a thrown error otherwise.
bool IntArray(napi_env env, napi_value arr, const char* name, std::vector<int64_t>* v) {
  bool isArr = false;
  napi_is_array(env, arr, &isArr);
  uint32_t n = 0;
  if (!isArr || napi_get_array_length(env, arr, &n) != napi_ok || n > 16) return Throw(env, std::string("transpose: ") + name + " must be an array of at most 16 numbers");
  v->resize(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    napi_get_element(env, arr, i, &e);
    if (!Int(env, e, name, &(*v)[i])) return false;
  }
  return true;
}

napi_value Transpose(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  size_t len = 0;
  bool isAb = false;
  if (argc == 5) napi_is_arraybuffer(env, argv[0], &isAb);
  if (!isAb || napi_get_arraybuffer_info(env, argv[0], &data, &len) != napi_ok) {
    Throw(env, "transpose: expected (heap ArrayBuffer, xOff, outOff, shape, perm)");
    return nullptr;
  }
  int64_t xOff, oOff;
  std::vector<int64_t> shape, perm;
  if (!Int(env, argv[1], "xOff", &xOff) || !Int(env, argv[2], "outOff", &oOff) || !IntArray(env, argv[3], "shape", &shape) || !IntArray(env, argv[4], "perm", &perm)) return nullptr;
  const size_t rank = shape.size();
  int64_t size = 1;
  std::vector<bool> seen(rank, false);
  bool ok = perm.size() == rank;
  for (size_t i = 0; ok && i < rank; i++) {
    ok = shape[i] >= 0 && perm[i] >= 0 && perm[i] < static_cast<int64_t>(rank) && !seen[perm[i]];
    if (ok) seen[perm[i]] = true, size *= shape[i];
  }
  if (!ok) {
    Throw(env, "transpose: perm must be a permutation of the shape's axes", true);
    return nullptr;
  }
  if (!InHeap(xOff, size, len) || !InHeap(oOff, size, len)) {
    Throw(env, "transpose: an operand lies outside the heap", true);
    return nullptr;
  }
  if (size == 0) return nullptr;
  const uint32_t* x = reinterpret_cast<const uint32_t*>(static_cast<char*>(data) + xOff);
  uint32_t* out = reinterpret_cast<uint32_t*>(static_cast<char*>(data) + oOff);
  // Input strides; then the output's dims (in output order) with their input strides, unit dims
  // dropped and runs that stay adjacent (perm[i+1] == perm[i] + 1) merged.
  std::vector<int64_t> inStride(rank, 1);
  for (int64_t i = static_cast<int64_t>(rank) - 2; i >= 0; i--) inStride[i] = inStride[i + 1] * shape[i + 1];
  std::vector<int64_t> dim, is;
  for (size_t i = 0; i < rank; i++) {
    const int64_t d = shape[perm[i]], st = inStride[perm[i]];
    if (d == 1) continue;
    if (!dim.empty() && is.back() == st * d) {
      dim.back() *= d;
      is.back() = st;
    } else {
      dim.push_back(d);
      is.push_back(st);
    }
  }
  const size_t r = dim.size();
  if (r <= 1) {
    std::memcpy(out, x, size * 4);
    return nullptr;
  }
  std::vector<int64_t> os(r, 1);
  for (int64_t i = static_cast<int64_t>(r) - 2; i >= 0; i--) os[i] = os[i + 1] * dim[i + 1];
  // q: the output dim that is innermost in x (input stride 1); equal to r-1 when rows stay rows.
  size_t q = r - 1;
  for (size_t i = 0; i < r; i++) if (is[i] == 1) q = i;
  // The other dims are walked by an odometer (ix, ox: the offsets of the current block).
  std::vector<size_t> outer;
  for (size_t i = 0; i + 1 < r; i++) if (i != q) outer.push_back(i);
  std::vector<int64_t> idx(outer.size(), 0);
  int64_t ix = 0, ox = 0;
  const int64_t last = static_cast<int64_t>(r) - 1, T = 32;
  while (true) {
    if (q == r - 1) {
      std::memcpy(out + ox, x + ix, dim[last] * 4);
    } else {
      // 2-D block: out[ox + a·os[q] + b] = x[ix + a + b·is[last]], a < dim[q], b < dim[last].
      const int64_t A = dim[q], B = dim[last], sq = os[q], sb = is[last];
      for (int64_t a0 = 0; a0 < A; a0 += T)
        for (int64_t b0 = 0; b0 < B; b0 += T) {
          const int64_t a1 = std::min(A, a0 + T), b1 = std::min(B, b0 + T);
          for (int64_t a = a0; a < a1; a++) {
            uint32_t* o = out + ox + a * sq;
            const uint32_t* xi = x + ix + a;
            for (int64_t b = b0; b < b1; b++) o[b] = xi[b * sb];
          }
        }
    }
    size_t j = outer.size();
    while (j > 0) {
      const size_t d = outer[j - 1];
      ix += is[d];
      ox += os[d];
      if (++idx[j - 1] < dim[d]) break;
      ix -= is[d] * dim[d];
      ox -= os[d] * dim[d];
      idx[j - 1] = 0;
      j--;
    }
    if (j == 0) break;
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double n = 0;
  if (argc != 1 || napi_get_value_double(env, argv[0], &n) != napi_ok || !(n >= 1) || n != std::floor(n)) {
    Throw(env, "setThreads: expected a whole number >= 1");
    return nullptr;
  }
#ifdef HEPLLM_OPENBLAS
  openblas_set_num_threads(static_cast<int>(n));
#endif
  return nullptr;
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
#ifdef HEPLLM_OPENBLAS
  napi_create_int32(env, openblas_get_num_threads(), &out);
#else
  napi_create_int32(env, 1, &out);
#endif
  return out;
}

napi_value Config(napi_env env, napi_callback_info) {
  napi_value out;
#ifdef HEPLLM_OPENBLAS
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out);
#else
  napi_create_string_utf8(env, "CBLAS", NAPI_AUTO_LENGTH, &out);
#endif
  return out;
}

}  // namespace

void RegisterFused(napi_env env, napi_value exports);  // native/fused.cc
void RegisterCluster(napi_env env, napi_value exports);  // native/cluster.cc
void RegisterScore(napi_env env, napi_value exports);  // native/score.cc

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"config", nullptr, Config, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  RegisterFused(env, exports);
  RegisterCluster(env, exports);
  RegisterScore(env, exports);
  return exports;
}
