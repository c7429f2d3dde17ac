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
 * |w| ≥ 6.1e-5; below that, half's subnormals keep an absolute error ≤ 3e-8; above 65504 a
 * weight would become ±Infinity — far beyond any trained weight). A bfloat16 checkpoint converts
 * exactly for 6.1e-5 ≤ |w| ≤ 65504 (bf16's 8-bit mantissa fits half's 11). Against
 * float32 products of the half-rounded weights the kernel agrees to float32 summation-order error
 * (test/llm/kernels/webgpu-f16-matmul.test.ts).
 *
 * The products are tiled through workgroup memory (16×16 threads, 8 or 4 output rows each,
 * 16-deep inner tiles): each W word is read from device memory once per 128 (forward) or 64
 * (backward) rows of activations. On llvmpipe they run at 0.3–0.7× tfjs's float32 matMul
 * (paired runs on a loaded machine; tfjs does 4×4 outputs per thread with vec4 loads); on a GPU
 * they read a quarter of the weight bytes of float32 W + Wᵀ (not measured on one yet).
 */
import * as tf from "@tensorflow/tfjs";
import { Bf16Bits, bf16ToF32, f32ToF16 } from "../io/half";

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

/**
 * W in Hugging Face layout [out, in] (row-major float32, or bfloat16 bits as a bf16 checkpoint
 * is read) → half pairs along `out` of W [in, out]: [in, ⌈out/2⌉] int32 words. The transpose
 * happens while packing, so no float32 [in, out] copy is made.
 */
export function packHalfPairs(weightOI: Float32Array | Bf16Bits, inF: number, outF: number): Int32Array {
  const half = f32ToF16(weightOI instanceof Float32Array ? weightOI : bf16ToF32(weightOI.bf16)); // [out, in]
  const np = Math.ceil(outF / 2);
  const out = new Int32Array(inF * np);
  for (let r = 0; r < inF; r++) {
    for (let j = 0; j < np; j++) {
      const c = 2 * j;
      const lo = half[c * inF + r];
      const hi = c + 1 < outF ? half[(c + 1) * inF + r] : 0;
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
  dispatchLayout: { x: number[]; y?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  size: boolean;
  getUserCode(): string;
}

/** "forward": y [M, N] = X [M, K] · W; "transposed": y [M, K] = X [M, N] · Wᵀ; "unpack": W as float32 [K, N]. */
type Mode = "forward" | "transposed" | "unpack";

/** Threads per side of a workgroup, and the depth of an inner-dimension tile. */
const TILE = 16;
/**
 * Output rows per thread: a workgroup covers 16·ROWS rows, so each staged W tile serves that many
 * rows per barrier. The transposed product stages 32 activations per row (8 KB at 4 rows), within
 * WebGPU's default 16 KB of workgroup memory.
 */
const ROWS_FORWARD = 8;
const ROWS_TRANSPOSED = 4;

/**
 * W is packed [K, ⌈N/2⌉]. The products are tiled: a 16×16 workgroup stages a tile of the
 * activations and of W in workgroup memory, then each thread accumulates from there.
 *   forward:    thread (ty, tx) of workgroup (wy, wx) owns output rows 128·wy + 8·ty + 0..7 and
 *               columns 2j, 2j + 1 for word j = 16·wx + tx (one word gives both); K in steps of 16.
 *   transposed: thread (ty, tx) owns outputs (rows 64·wy + 4·ty + 0..3, c = 16·wx + tx); N in
 *               steps of 32 (16 words); the W tile is padded to 17 columns against bank conflicts.
 *   unpack:     a thread per element, flat.
 * Every thread reaches every barrier: bounds are checked on loads and on the final write only.
 */
function program(m: number, k: number, n: number, mode: Mode): HalfMatMulProgram {
  const np = Math.ceil(n / 2);
  const forward = `
      var<workgroup> xs : array<array<f32, ${TILE}>, ${ROWS_FORWARD * TILE}>;
      var<workgroup> ws : array<array<u32, ${TILE}>, ${TILE}>;
      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let row0 = i32(workgroupId.y) * ${ROWS_FORWARD * TILE} + ty * ${ROWS_FORWARD};
        let j = i32(workgroupId.x) * ${TILE} + tx;
        var acc : array<vec2<f32>, ${ROWS_FORWARD}>;
        for (var r = 0; r < ${ROWS_FORWARD}; r = r + 1) { acc[r] = vec2<f32>(0.0, 0.0); }
        let tiles = (uniforms.k + ${TILE - 1}) / ${TILE};
        for (var t = 0; t < tiles; t = t + 1) {
          let kx = t * ${TILE} + tx;
          for (var r = 0; r < ${ROWS_FORWARD}; r = r + 1) {
            var xv = 0.0;
            if (row0 + r < uniforms.m && kx < uniforms.k) { xv = X[(row0 + r) * uniforms.k + kx]; }
            xs[ty * ${ROWS_FORWARD} + r][tx] = xv;
          }
          let kw = t * ${TILE} + ty;
          var wv = 0u;
          if (kw < uniforms.k && j < uniforms.np) { wv = bitcast<u32>(W[kw * uniforms.np + j]); }
          ws[ty][tx] = wv;
          workgroupBarrier();
          for (var i = 0; i < ${TILE}; i = i + 1) {
            let w = unpack2x16float(ws[i][tx]);
            for (var r = 0; r < ${ROWS_FORWARD}; r = r + 1) { acc[r] = acc[r] + xs[ty * ${ROWS_FORWARD} + r][i] * w; }
          }
          workgroupBarrier();
        }
        let col = 2 * j;
        for (var r = 0; r < ${ROWS_FORWARD}; r = r + 1) {
          let row = row0 + r;
          if (row < uniforms.m && j < uniforms.np) {
            setOutputAtIndex(row * uniforms.n + col, acc[r].x);
            if (col + 1 < uniforms.n) { setOutputAtIndex(row * uniforms.n + col + 1, acc[r].y); }
          }
        }
      }`;
  const transposed = `
      var<workgroup> ds : array<array<f32, ${2 * TILE}>, ${ROWS_TRANSPOSED * TILE}>;
      var<workgroup> wt : array<array<u32, ${TILE + 1}>, ${TILE}>;
      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let row0 = i32(workgroupId.y) * ${ROWS_TRANSPOSED * TILE} + ty * ${ROWS_TRANSPOSED};
        let c = i32(workgroupId.x) * ${TILE} + tx;
        var acc : array<f32, ${ROWS_TRANSPOSED}>;
        for (var r = 0; r < ${ROWS_TRANSPOSED}; r = r + 1) { acc[r] = 0.0; }
        let tiles = (uniforms.np + ${TILE - 1}) / ${TILE};
        for (var t = 0; t < tiles; t = t + 1) {
          let n0 = t * ${2 * TILE} + 2 * tx;
          for (var r = 0; r < ${ROWS_TRANSPOSED}; r = r + 1) {
            let row = row0 + r;
            var d0 = 0.0;
            var d1 = 0.0;
            if (row < uniforms.m && n0 < uniforms.n) { d0 = X[row * uniforms.n + n0]; }
            if (row < uniforms.m && n0 + 1 < uniforms.n) { d1 = X[row * uniforms.n + n0 + 1]; }
            ds[ty * ${ROWS_TRANSPOSED} + r][2 * tx] = d0;
            ds[ty * ${ROWS_TRANSPOSED} + r][2 * tx + 1] = d1;
          }
          let cw = i32(workgroupId.x) * ${TILE} + ty;
          let jw = t * ${TILE} + tx;
          var wv = 0u;
          if (cw < uniforms.k && jw < uniforms.np) { wv = bitcast<u32>(W[cw * uniforms.np + jw]); }
          wt[ty][tx] = wv;
          workgroupBarrier();
          for (var w = 0; w < ${TILE}; w = w + 1) {
            let v = unpack2x16float(wt[tx][w]);
            for (var r = 0; r < ${ROWS_TRANSPOSED}; r = r + 1) {
              acc[r] = acc[r] + ds[ty * ${ROWS_TRANSPOSED} + r][2 * w] * v.x + ds[ty * ${ROWS_TRANSPOSED} + r][2 * w + 1] * v.y;
            }
          }
          workgroupBarrier();
        }
        for (var r = 0; r < ${ROWS_TRANSPOSED}; r = r + 1) {
          if (row0 + r < uniforms.m && c < uniforms.k) { setOutputAtIndex((row0 + r) * uniforms.k + c, acc[r]); }
        }
      }`;
  const unpack = `
      fn main(index : i32) {
        if (index >= uniforms.k * uniforms.n) { return; }
        let r = index / uniforms.n;
        let c = index - r * uniforms.n;
        let w = unpack2x16float(bitcast<u32>(W[r * uniforms.np + c / 2]));
        setOutputAtIndex(index, select(w.x, w.y, (c & 1) == 1));
      }`;
  const common = { uniforms: "m : i32, k : i32, n : i32, np : i32,", size: true, shaderKey: `hepllmHalfMatMul_${mode}` };
  if (mode === "unpack") {
    return { ...common, variableNames: ["W"], outputShape: [k, n], dispatchLayout: { x: [0, 1] }, dispatch: [Math.ceil((k * n) / 64), 1, 1], workgroupSize: [64, 1, 1], getUserCode: () => unpack };
  }
  const cols = mode === "forward" ? np : k; // threads along x: output words (forward) or output columns
  return {
    ...common,
    variableNames: ["X", "W"],
    outputShape: mode === "forward" ? [m, n] : [m, k],
    dispatchLayout: { x: [1], y: [0] },
    dispatch: [Math.ceil(cols / TILE), Math.ceil(m / ((mode === "forward" ? ROWS_FORWARD : ROWS_TRANSPOSED) * TILE)), 1],
    workgroupSize: [TILE, TILE, 1],
    getUserCode: () => (mode === "forward" ? forward : transposed),
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

/** W [out, in] (Hugging Face layout, float32 or bfloat16 bits) → a 16-bit weight W [in, out] on the current webgpu device. */
export function webGpuHalfWeight(weightOI: Float32Array | Bf16Bits, inF: number, outF: number): HalfWeight {
  registerHalfMatMul();
  const words = packHalfPairs(weightOI, inF, outF);
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
