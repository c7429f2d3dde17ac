/**
 * The 16-bit frozen-weight products on WebGPU (lib/llm/kernels/webgpu-f16-matmul.ts) against a
 * float64 reference on the host: x·W and dY·Wᵀ with W rounded to half by an independent
 * converter (Math.fround through a Float16-free bit routine below), and the unpacked weight
 * against the same rounding, exactly. Runs on whatever adapter initBackend("webgpu") finds (CI:
 * Mesa's llvmpipe); skips with the reason without one, fails in CI.
 *
 * A whole low-memory decoder (16-bit weights, layers recomputed) must give the LoRA gradients of
 * the same model with float32 weights holding the same values, to 1e-4 of the largest gradient.
 *
 * Tolerance: float32 accumulation over K ≤ 300 terms of O(1) products in another order than the
 * float64 reference: |error| ≤ 1e-5 · Σ|x·w| (float32's 6e-8 unit round-off × K, with room).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { packHalfPairs, webGpuHalfWeight } from "../../../lib/llm/kernels/webgpu-f16-matmul";
import { Linear } from "../../../lib/llm/model/linear";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "../../../lib/llm/io/half";
import { applyLora } from "../../../lib/llm";
import { buildDecoder } from "../../../lib/llm/model/model";
import { TINY_MISTRAL } from "../support";
import { deviceLimits } from "../../../lib/llm/kernels/device-limits";
import { webGpuAdapter } from "../../../lib/llm/kernels/webgpu";
import { Rng } from "../../../lib/util/rng";
import { adapterName, onWebGpu } from "../webgpu/support";

/** IEEE half rounding (round to nearest even) of a float, written out: the reference converter. */
function roundToHalf(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  if (a >= 65520) return Math.sign(v) * Infinity;
  const e = Math.max(Math.floor(Math.log2(a)), -14); // subnormals share the smallest exponent
  const ulp = Math.pow(2, e - 10);
  let q = a / ulp;
  const f = Math.floor(q);
  const rest = q - f;
  q = rest > 0.5 || (rest === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(v) * q * ulp;
}

/** W [k, n] row-major → its [n, k] transpose (the layout the weights arrive in). */
function toOI(w: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) out[c * k + r] = w[r * n + c];
  return out;
}

function random(n: number, rng: Rng, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** a [M, K] · b [K, N] in float64, with b given row-major. */
function matmul64(a: Float32Array, b: ArrayLike<number>, m: number, k: number, n: number): { y: Float64Array; mag: Float64Array } {
  const y = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let g = 0;
      for (let p = 0; p < k; p++) {
        s += a[i * k + p] * b[p * n + j];
        g += Math.abs(a[i * k + p] * b[p * n + j]);
      }
      y[i * n + j] = s;
      mag[i * n + j] = g;
    }
  return { y, mag };
}

function assertClose(got: Float32Array, ref: { y: Float64Array; mag: Float64Array }, what: string): void {
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref.y[i]) / Math.max(ref.mag[i], 1e-30));
  assert.ok(worst <= 1e-5, `${what} on ${adapterName()}: worst |error| / Σ|x·w| = ${worst.toExponential(2)} > 1e-5`);
}

test("half pairs pack as IEEE half bits, low half the even column, an odd last column padded with 0", () => {
  // W [in 2, out 3] = [[1, -2, 0.5], [65504, 3, 1e-7]], given as [out, in] (Hugging Face layout)
  const wOI = new Float32Array([1, 65504, -2, 3, 0.5, 1e-7]);
  const p = packHalfPairs(wOI, 2, 3);
  // bfloat16 bits (a bf16 checkpoint) of values both formats hold exactly pack the same
  const exact = new Float32Array([1, 0.25, -2, 3, 0.5, -0.125]);
  assert.deepEqual(packHalfPairs({ bf16: f32ToBf16(exact) }, 2, 3), packHalfPairs(exact, 2, 3));
  assert.deepEqual(Array.from(p, (x) => [x & 0xffff, (x >>> 16) & 0xffff]), [[0x3c00, 0xc000], [0x3800, 0], [0x7bff, 0x4200], [0x0002, 0]]);
});

for (const [m, k, n] of [[5, 64, 48], [7, 33, 17], [1, 300, 129], [37, 50, 70], [130, 40, 34]] as const) {
  test(`x·W, dY·Wᵀ and W itself with W held as half pairs: [${m}, ${k}] · [${k}, ${n}]`, async (t) => {
    if (!(await onWebGpu(t))) return;
    const rng = new Rng(k * 1000 + n);
    const w = random(k * n, rng, 0.05);
    w[0] = 3e-6; // a half subnormal
    const wHalf = Array.from(w, roundToHalf);
    const x = random(m * k, rng, 1);
    const dy = random(m * n, rng, 1);
    const hw = webGpuHalfWeight(toOI(w, k, n), k, n);
    assert.equal(hw.bytes, 4 * k * Math.ceil(n / 2));
    try {
      const xt = tf.tensor2d(x, [m, k]);
      const dyt = tf.tensor2d(dy, [m, n]);
      const y = hw.matMul(xt);
      const dx = hw.matMulTransposed(dyt);
      const full = hw.toFloat32();
      assert.deepEqual(y.shape, [m, n]);
      assert.deepEqual(dx.shape, [m, k]);
      assertClose((await y.data()) as Float32Array, matmul64(x, wHalf, m, k, n), "x·W");
      // dY·Wᵀ: Wᵀ row-major is W read by columns.
      const wT = new Float64Array(n * k);
      for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) wT[c * k + r] = wHalf[r * n + c];
      assertClose((await dx.data()) as Float32Array, matmul64(dy, wT, m, n, k), "dY·Wᵀ");
      assert.deepEqual(Array.from((await full.data()) as Float32Array), wHalf);
      tf.dispose([xt, dyt, y, dx, full]);
    } finally {
      hw.dispose();
    }
  });
}

test("a low-memory Linear on webgpu holds W as halves: forward x·W and, under a tape, dX = dY·Wᵀ", async (t) => {
  if (!(await onWebGpu(t))) return;
  const [m, k, n] = [6, 40, 24];
  const rng = new Rng(7);
  const wOI = random(n * k, rng, 0.05); // Hugging Face layout [out, in]
  const wIO = new Float32Array(k * n);
  for (let o = 0; o < n; o++) for (let i = 0; i < k; i++) wIO[i * n + o] = wOI[o * k + i];
  const wHalf = Array.from(wIO, roundToHalf);
  const lin = new Linear("test.proj", k, n, wOI, { lowMemory: true });
  assert.ok(lin.lowMemory);
  const x = random(m * k, rng, 1);
  const dy = random(m * n, rng, 1);
  const xt = tf.tensor2d(x, [m, k]);
  const dyt = tf.tensor2d(dy, [m, n]);
  const y = lin.apply(xt);
  assertClose((await y.data()) as Float32Array, matmul64(x, wHalf, m, k, n), "Linear forward");
  const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(lin.apply(v as tf.Tensor2D), dyt)))(xt);
  const wT = new Float64Array(n * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) wT[c * k + r] = wHalf[r * n + c];
  assertClose((await dx.data()) as Float32Array, matmul64(dy, wT, m, n, k), "Linear backward");
  const full = lin.weightIO();
  assert.deepEqual(Array.from((await full.data()) as Float32Array), wHalf);
  tf.dispose([xt, dyt, y, dx, full]);
  lin.dispose();
});

test("the device limits the training-memory check reads on webgpu: the adapter's, memory from HEPLLM_GPU_MEMORY or, on a software adapter, the host", async (t) => {
  if (!(await onWebGpu(t))) return;
  const a = webGpuAdapter()!;
  const before = process.env.HEPLLM_GPU_MEMORY;
  try {
    delete process.env.HEPLLM_GPU_MEMORY;
    const d = deviceLimits();
    assert.ok(d.name.startsWith(a.name), d.name);
    assert.equal(d.maxBufferSize, a.limits.maxBufferSize);
    assert.equal(d.maxStorageBufferBindingSize, a.limits.maxStorageBufferBindingSize);
    if (a.isSoftware) assert.equal(d.memorySource, "host memory (software adapter)");
    else assert.equal(d.memoryBytes, undefined);
    process.env.HEPLLM_GPU_MEMORY = "24GB";
    assert.equal(deviceLimits().memoryBytes, 24e9);
  } finally {
    if (before === undefined) delete process.env.HEPLLM_GPU_MEMORY;
    else process.env.HEPLLM_GPU_MEMORY = before;
  }
});

test("LoRA gradients of a low-memory decoder on webgpu (16-bit weights, layers recomputed) equal those of float32 weights holding the same halves", async (t) => {
  if (!(await onWebGpu(t))) return;
  const cfg = { ...TINY_MISTRAL, slidingWindow: null };
  const source = (seed: number) => {
    const rng = new Rng(seed);
    return (_name: string, shape: number[]): Float32Array => {
      const n = shape.reduce((a, b) => a * b, 1);
      const w = Float32Array.from({ length: n }, () => (shape.length === 1 ? 1 + 0.1 * rng.normal() : 0.15 * rng.normal()));
      // Matrices exact in bfloat16 and in half (the low-memory embedding table is bfloat16 on the host): both holdings are exact.
      return shape.length === 1 ? w : f16ToF32(f32ToF16(bf16ToF32(f32ToBf16(w))));
    };
  };
  const grads = async (lowMemory: boolean): Promise<Float32Array[]> => {
    const m = buildDecoder(cfg, source(3), { lowMemory });
    assert.equal(m.recomputeLayers, lowMemory);
    const lora = applyLora(m, { r: 4, alpha: 8, targetModules: ["q_proj", "v_proj", "down_proj"], seed: 1 });
    for (const v of lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.1, "float32", 5));
    const ids = tf.tensor2d([[1, 5, 9, 13, 17, 21], [2, 6, 10, 14, 18, 22]], [2, 6], "int32");
    const { value, grads: g } = tf.variableGrads(() => tf.tidy(() => m.forward(ids, { positions: [[4, 5], [4, 5]] }).square().mean() as tf.Scalar), lora.variables());
    const out = await Promise.all(lora.variables().map(async (v) => (await g[v.name].data()) as Float32Array));
    tf.dispose([value, ids, ...Object.values(g)]);
    lora.dispose();
    m.dispose();
    return out;
  };
  const half = await grads(true);
  const f32 = await grads(false);
  half.forEach((g, i) => {
    const scale = Math.max(...Array.from(f32[i], Math.abs));
    const worst = Math.max(...Array.from(g, (v, j) => Math.abs(v - f32[i][j])));
    assert.ok(worst <= 1e-4 * scale, `gradient ${i} on ${adapterName()}: worst difference ${worst.toExponential(2)} of max ${scale.toExponential(2)}`);
  });
});
