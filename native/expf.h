// exp(x) for float32 shared by the fused training kernels (fused.cc) and the scoring kernels
// (score.cc).
#pragma once

#include <cstdint>

// exp(x) for float32 (Cephes expf: range reduction by ln 2, degree-5 polynomial; ≤ 2 ulp), written
// without branches so that loops over it vectorise (with -fno-trapping-math, as
// scripts/build-native.js builds); 0 below −80 (e.g. the masked scores, −1e9: exp(−80) = 1.8e-35
// is below anything a softmax or sigmoid can show, and staying clear of subnormals keeps it fast).
inline float ExpF(float x) {
  const float keep = x >= -80.0f ? 1.0f : 0.0f;
  x = x < -80.0f ? -80.0f : x;
  x = x > 88.3f ? 88.3f : x;
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  const float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r + 1.0f;
  const float scale = __builtin_bit_cast(float, (static_cast<int32_t>(n) + 127) << 23);
  return p * scale * keep;
}
