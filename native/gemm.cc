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
//   setThreads(n), threads(): the BLAS thread pool's size.
//   config(): the BLAS library's own description (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... SkylakeX").
#include <node_api.h>
#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

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

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"config", nullptr, Config, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
