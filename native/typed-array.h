// A typed-array argument of an N-API call (the clustering exports: cluster.cc, kt-axes.cc).
#pragma once

#include <node_api.h>

#include <string>

// The data and length of argument `v` when it is a typed array of type `want` (Float64Array or
// Int32Array); otherwise throws a RangeError "fn: name must be a …" and returns false.
template <typename T>
bool TypedArrayArg(napi_env env, napi_value v, napi_typedarray_type want, const char* fn, const char* name, T** data, size_t* len) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  void* p = nullptr;
  if (!is || napi_get_typedarray_info(env, v, &type, len, &p, nullptr, nullptr) != napi_ok || type != want) {
    const std::string msg = std::string(fn) + ": " + name + (want == napi_float64_array ? " must be a Float64Array" : " must be an Int32Array");
    napi_throw_range_error(env, nullptr, msg.c_str());
    return false;
  }
  *data = static_cast<T*>(p);
  return true;
}
