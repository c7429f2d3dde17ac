/**
 * A bias-free linear layer y = x·W with an optional LoRA branch, the unit every projection of
 * the decoder calls. The frozen W is kept pre-transposed as [in, out] so the forward product is a
 * plain 2-D matMul, plus (by default) the Hugging Face [out, in] copy so that the backward
 * dX = dY·Wᵀ is one too. In low-memory mode W lives on the host as bfloat16 (host-weight.ts) and
 * is expanded to float32 one column block at a time for the duration of one product, in the
 * forward pass and again in the backward (so LoRA training works on models whose float32 weights
 * exceed the device's memory); on a backend whose kernels offer 16-bit device weights (WebGPU:
 * kernels/webgpu-f16-matmul.ts) it lives there instead, as IEEE halves, one buffer for the forward
 * and the backward product.
 *
 * LoRA (Hu et al. 2021, PEFT layout): y = x·W + s·(drop(x)·A)·B with A [in, r], B [r, out]
 * (PEFT stores their transposes lora_A [r, in], lora_B [out, r]); s = alpha/r, or alpha/√r
 * with rsLoRA.
 */
import * as tf from "@tensorflow/tfjs";
import { Bf16Bits, bf16ToF32, f32ToBf16 } from "../io/half";
import { frozenMatMul, tapeActive } from "../kernels/matmul";
import { backendKernels } from "../kernels/kernels";
import type { HalfWeight } from "../kernels/webgpu-f16-matmul";
import { seededDropout } from "./dropout";
import { HostWeight } from "./host-weight";

export interface LoraParams {
  /** Down-projection A, [in, r] (trainable). */
  a: tf.Variable;
  /** Up-projection B, [r, out] (trainable; zero at initialisation so the adapter starts as identity). */
  b: tf.Variable;
  /** Scale s applied to the branch. */
  scale: number;
  /** Dropout rate on the branch's input while training. */
  dropout: number;
  /** Seed of the dropout mask (set per micro-batch by the trainer, so a resumed run repeats it); random when absent. */
  seed?: number;
}

export class Linear {
  /** The module path in Hugging Face names, e.g. "model.layers.0.self_attn.q_proj". */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** W [in, out] (resident mode). */
  private w: tf.Tensor2D | undefined;
  /** Wᵀ [out, in] (resident mode, when kept). */
  private wT: tf.Tensor2D | undefined;
  /** W [in, out] as bfloat16 bits in column blocks (low-memory mode). */
  private host: HostWeight | undefined;
  /** W as 16-bit values on the device (low-memory mode on a backend that offers it: WebGPU). */
  private half: HalfWeight | undefined;
  lora: LoraParams | undefined;
  /** Whether the LoRA product has been added into W (then the branch is skipped). */
  merged = false;
  /** Dropout on (training) or off. */
  training = false;

  /**
   * `weightOI`: the weight in Hugging Face layout [out, in], row-major, as float32 or as bfloat16
   * bits (a bf16 checkpoint read for low-memory mode never exists as float32 on the host).
   * `keepTransposed`: also keep [out, in] on the device for fast backward passes.
   * `lowMemory`: keep only bfloat16 bits on the host.
   */
  constructor(name: string, inFeatures: number, outFeatures: number, weightOI: Float32Array | Bf16Bits, opts: { keepTransposed?: boolean; lowMemory?: boolean } = {}) {
    const n = weightOI instanceof Float32Array ? weightOI.length : weightOI.bf16.length;
    if (n !== inFeatures * outFeatures) {
      throw new Error(`${name}.weight: expected [${outFeatures}, ${inFeatures}] (${inFeatures * outFeatures} values), got ${n}`);
    }
    this.name = name;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    if (opts.lowMemory) {
      const half = backendKernels().halfWeight;
      if (half) {
        this.half = half(weightOI, inFeatures, outFeatures);
      } else {
        // Round first, then block the 16-bit copy: the transient is half a float32 matrix.
        const bits = weightOI instanceof Float32Array ? f32ToBf16(weightOI) : weightOI.bf16;
        this.host = new HostWeight(bits, inFeatures, outFeatures);
      }
    } else {
      const f32 = weightOI instanceof Float32Array ? weightOI : bf16ToF32(weightOI.bf16);
      const oi = tf.tensor2d(f32, [outFeatures, inFeatures]);
      this.w = tf.keep(tf.transpose(oi));
      if (opts.keepTransposed === false) oi.dispose();
      else this.wT = tf.keep(oi);
    }
  }

  get lowMemory(): boolean {
    return this.host !== undefined || this.half !== undefined;
  }

  /** x [N, in] → y [N, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const l0 = this.lora;
    const fused = this.w && l0 && !this.merged ? backendKernels().fused?.loraLinear : undefined;
    if (fused) {
      // One kernel each way; with dropout the branch reads its own (dropped) input.
      const xd = this.training && l0!.dropout > 0 ? (seededDropout(x, l0!.dropout, l0!.seed) as tf.Tensor2D) : undefined;
      return fused(x, this.w!, l0!.a as tf.Tensor2D, l0!.b as tf.Tensor2D, l0!.scale, xd);
    }
    let y: tf.Tensor2D;
    if (this.host) {
      y = this.host.matMul(x);
    } else if (this.half) {
      y = halfMatMul(x, this.half);
    } else {
      y = frozenMatMul(x, this.w!, this.wT);
    }
    const l = this.lora;
    if (!l || this.merged) return y;
    const xin = this.training && l.dropout > 0 ? seededDropout(x, l.dropout, l.seed) : x;
    return tf.add(y, loraBranch(xin as tf.Tensor2D, l.a as tf.Tensor2D, l.b as tf.Tensor2D, l.scale));
  }

  /** W as float32 [in, out] (a new tensor; the caller disposes it). */
  weightIO(): tf.Tensor2D {
    if (this.host) return this.host.toTensorIO();
    if (this.half) return this.half.toFloat32();
    return this.w!.clone();
  }

  /** W in Hugging Face layout [out, in] as host float32 (for saving; LoRA never included unless merged). */
  weightOI(): Float32Array {
    const io = this.weightIO();
    const t = tf.transpose(io);
    const data = t.dataSync() as Float32Array;
    io.dispose();
    t.dispose();
    return data;
  }

  /** Adds (sign +1) or removes (−1) s·A·B into W. */
  mergeLora(sign: 1 | -1): void {
    const l = this.lora;
    if (!l) return;
    if (this.host || this.half) throw new Error(`${this.name}: cannot merge LoRA into low-memory (16-bit) weights`);
    const w = tf.tidy(() => tf.add(this.w!, tf.mul(tf.matMul(l.a, l.b), sign * l.scale)) as tf.Tensor2D);
    this.w!.dispose();
    this.w = tf.keep(w);
    if (this.wT) {
      this.wT.dispose();
      this.wT = tf.keep(tf.transpose(w));
    }
    this.merged = sign === 1;
  }

  dispose(): void {
    this.w?.dispose();
    this.wT?.dispose();
    this.half?.dispose();
    this.w = this.wT = undefined;
    this.half = undefined;
  }
}

/**
 * s·(x·A)·B for x [N, in], A [in, r], B [r, out]; under a tape one node with the backward
 * h = x·A, dB = s·hᵀ·dY, dh = s·dY·Bᵀ, dA = xᵀ·dh, dx = dh·Aᵀ (all plain 2-D products).
 */
export function loraBranch(x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number): tf.Tensor2D {
  if (!tapeActive()) return tf.tidy(() => tf.mul(tf.matMul(tf.matMul(x, a), b), scale) as tf.Tensor2D);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, aa, bb, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const h = tf.matMul(xx, aa);
    save([xx, aa, bb, h]);
    return {
      value: tf.mul(tf.matMul(h, bb), scale),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, as, bs, hs] = saved as tf.Tensor2D[];
          const d = tf.mul(dy, scale) as tf.Tensor2D;
          const dh = tf.matMul(d, tf.transpose(bs));
          return [tf.matMul(dh, tf.transpose(as)), tf.matMul(tf.transpose(xs), dh), tf.matMul(tf.transpose(hs), d)];
        }),
    };
  });
  return f(x, a, b) as tf.Tensor2D;
}

/**
 * x [N, in] · W with W held as 16-bit values on the device: the backward dX = dY·Wᵀ reads the
 * same buffer (a transposed product, no second copy).
 */
function halfMatMul(x: tf.Tensor2D, w: HalfWeight): tf.Tensor2D {
  if (!tapeActive()) return w.matMul(x);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: w.matMul(args[0] as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor) => [w.matMulTransposed(dy as tf.Tensor2D)],
  }));
  return f(x) as tf.Tensor2D;
}
