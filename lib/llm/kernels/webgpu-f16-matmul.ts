/**
 * Frozen weights held as 16-bit floats on a WebGPU device: half the memory of float32 W, a
 * quarter of the default W + Wᵀ (lib/llm/model/linear.ts), with one buffer serving both products
 * a frozen projection needs — the forward y = x·W and the backward dX = dY·Wᵀ.
 *
 * tfjs has no float16 dtype, so W [in, out] is packed as IEEE half pairs along `out` in an int32
 * tensor [in, ⌈out/2⌉] (low half = even column; an odd last column is padded with 0), and a
 * custom WGSL program (kernel "HepllmHalfMatMul", registered for the "webgpu" backend) unpacks
 * them with `unpack2x16float`, a WGSL built-in that needs no `shader-f16` feature: so it runs on
 * every adapter, Mesa's llvmpipe included. Arithmetic and accumulation are float32 (activations,
 * LoRA, fusion and optimizer state stay float32); `shader-f16` arithmetic would only lose
 * accuracy here, so it is not used even where the adapter has it.
 *
 * Accuracy: the stored weight is W rounded to half (relative error ≤ 2⁻¹¹ ≈ 4.9e-4 for
 * |w| ≥ 6.1e-5; below that, half's subnormals keep an absolute error ≤ 3e-8). A bfloat16
 * checkpoint converts exactly for |w| ≥ 6.1e-5 (bf16's 8-bit mantissa fits half's 11). Against
 * float32 products of the half-rounded weights the kernel agrees to float32 summation-order error
 * (test/llm/kernels/webgpu-f16-matmul.test.ts).
 *
 * The programs are simple (one thread per output pair, or per output, looping over the inner
 * dimension; no shared-memory tiling): correct everywhere, and memory-bound products at a
 * training step's shapes on a GPU.
 */
import * as tf from "@tensorflow/tfjs";
import { f32ToF16 } from "../io/half";

export const HALF_MATMUL = "HepllmHalfMatMul";

/** A frozen weight W [in, out] held as 16-bit values on the device. */
export interface HalfWeight {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Device bytes of the packed weight. */
  readonly bytes: number;
  /** x [N, in] · W → [N, out]. */
  matMul(x: tf.Tensor2D): tf.Tensor2D;
  /** dy [N, out] · Wᵀ → [N, in]. */
  matMulTransposed(dy: tf.Tensor2D): tf.Tensor2D;
  /** W as float32 [in, out] (a new tensor). */
  toFloat32(): tf.Tensor2D;
  dispose(): void;
}

/** W [in, out] row-major float32 → half pairs along `out`, [in, ⌈out/2⌉] as int32 words. */
export function packHalfPairs(wIO: Float32Array, inF: number, outF: number): Int32Array {
  const half = f32ToF16(wIO);
  const np = Math.ceil(outF / 2);
  const out = new Int32Array(inF * np);
  for (let r = 0; r < inF; r++) {
    for (let j = 0; j < np; j++) {
      const c = 2 * j;
      const lo = half[r * outF + c];
      const hi = c + 1 < outF ? half[r * outF + c + 1] : 0;
      out[r * np + j] = lo | (hi << 16);
    }
  }
  return out;
}

/** The WebGPUProgram fields tfjs-backend-webgpu reads (its type is not imported: the package is optional). */
interface HalfMatMulProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  size: boolean;
  getUserCode(): string;
}

const WORKGROUP = 64;

/** "forward": y [M, N] = X [M, K] · W; "transposed": y [M, K] = X [M, N] · Wᵀ; "unpack": W as float32 [K, N]. */
type Mode = "forward" | "transposed" | "unpack";

/**
 * W is packed [K, ⌈N/2⌉]. Forward: a thread per output pair (one word gives both columns);
 * transposed: a thread per output (a row of W is contiguous); unpack: a thread per element.
 */
function program(m: number, k: number, n: number, mode: Mode): HalfMatMulProgram {
  const threads = mode === "transposed" ? m * k : mode === "forward" ? m * Math.ceil(n / 2) : k * n;
  const unpack = `
        if (index >= uniforms.k * uniforms.n) { return; }
        let r = index / uniforms.n;
        let c = index - r * uniforms.n;
        let w = unpack2x16float(bitcast<u32>(W[r * uniforms.np + c / 2]));
        setOutputAtIndex(index, select(w.x, w.y, (c & 1) == 1));`;
  const body = mode === "unpack" ? unpack : mode === "transposed"
    ? `
        if (index >= uniforms.m * uniforms.k) { return; }
        let row = index / uniforms.k;
        let c = index - row * uniforms.k;
        var acc = 0.0;
        for (var j = 0; j < uniforms.np; j = j + 1) {
          let w = unpack2x16float(bitcast<u32>(W[c * uniforms.np + j]));
          let col = 2 * j;
          acc = acc + X[row * uniforms.n + col] * w.x;
          if (col + 1 < uniforms.n) { acc = acc + X[row * uniforms.n + col + 1] * w.y; }
        }
        setOutputAtIndex(index, acc);`
    : `
        if (index >= uniforms.m * uniforms.np) { return; }
        let row = index / uniforms.np;
        let j = index - row * uniforms.np;
        var acc = vec2<f32>(0.0, 0.0);
        for (var i = 0; i < uniforms.k; i = i + 1) {
          acc = acc + X[row * uniforms.k + i] * unpack2x16float(bitcast<u32>(W[i * uniforms.np + j]));
        }
        let col = 2 * j;
        setOutputAtIndex(row * uniforms.n + col, acc.x);
        if (col + 1 < uniforms.n) { setOutputAtIndex(row * uniforms.n + col + 1, acc.y); }`;
  return {
    variableNames: mode === "unpack" ? ["W"] : ["X", "W"],
    outputShape: mode === "transposed" ? [m, k] : mode === "forward" ? [m, n] : [k, n],
    shaderKey: `hepllmHalfMatMul_${mode}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms: "m : i32, k : i32, n : i32, np : i32,",
    size: true,
    getUserCode: () => `
      fn main(index : i32) {${body}
      }`,
  };
}

interface WebGpuBackendLike {
  runWebGPUProgram(p: HalfMatMulProgram, inputs: tf.TensorInfo[], dtype: "float32", uniforms: Array<{ type: "int32"; data: number[] }>): tf.TensorInfo;
}

let registered = false;

/** Registers the kernel for the "webgpu" backend (once; kernels.ts calls it through `webGpuHalfWeight`). */
export function registerHalfMatMul(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: HALF_MATMUL,
    backendName: "webgpu",
    kernelFunc: ({ inputs, attrs, backend }) => {
      const w = inputs.w as tf.TensorInfo;
      const { inFeatures: k, outFeatures: n, mode } = attrs as unknown as { inFeatures: number; outFeatures: number; mode: Mode };
      const np = Math.ceil(n / 2);
      const x = inputs.x as tf.TensorInfo | undefined;
      const m = x ? x.shape[0] : 0;
      if (mode !== "unpack") {
        const width = mode === "transposed" ? n : k;
        if (!x || x.shape.length !== 2 || x.shape[1] !== width) throw new Error(`${HALF_MATMUL}: input [${x?.shape}] needs ${width} columns`);
      }
      const uniforms: Array<{ type: "int32"; data: number[] }> = [{ type: "int32", data: [m] }, { type: "int32", data: [k] }, { type: "int32", data: [n] }, { type: "int32", data: [np] }];
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program(m, k, n, mode), mode === "unpack" ? [w] : [x!, w], "float32", uniforms);
    },
  });
}

/** One product on (or the unpacking of) the packed weight; no gradient of its own: Linear wraps it. */
function halfKernel(x: tf.Tensor2D | undefined, packed: tf.Tensor2D, inF: number, outF: number, mode: Mode): tf.Tensor2D {
  const inputs: tf.NamedTensorMap = x ? { x, w: packed } : { w: packed };
  return tf.engine().runKernel(HALF_MATMUL, inputs, { inFeatures: inF, outFeatures: outF, mode } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** W [in, out] (row-major float32) → a 16-bit weight on the current webgpu device. */
export function webGpuHalfWeight(wIO: Float32Array, inF: number, outF: number): HalfWeight {
  registerHalfMatMul();
  const words = packHalfPairs(wIO, inF, outF);
  const packed = tf.keep(tf.tensor2d(words, [inF, Math.ceil(outF / 2)], "int32"));
  return {
    inFeatures: inF,
    outFeatures: outF,
    bytes: words.byteLength,
    matMul: (x) => halfKernel(x, packed, inF, outF, "forward"),
    matMulTransposed: (dy) => halfKernel(dy, packed, inF, outF, "transposed"),
    toFloat32: () => halfKernel(undefined, packed, inF, outF, "unpack"),
    dispose: () => packed.dispose(),
  };
}
