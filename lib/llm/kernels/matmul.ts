/**
 * Matrix products shaped for the wasm backend, where only a plain 2-D `matMul` (no transpose
 * flags, batch 1) reaches XNNPACK: measured 23–30 GFLOP/s against ~2 GFLOP/s for transposeA/B or
 * a rank-3 batch. Their gradients therefore transpose explicitly (a cheap copy) and multiply
 * plainly, instead of tfjs's default gradient with transpose flags.
 */
import * as tf from "@tensorflow/tfjs";
import { backendKernels } from "./kernels";

/**
 * Whether a gradient tape is recording this op (not inside another op's custom forward or
 * backward). Otherwise the custom-gradient wrappers are skipped: each costs a scope and clones.
 */
export function tapeActive(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}

/** a [M,K] · b [K,N] with gradients dA = dY·bᵀ, dB = aᵀ·dY (explicit transposes). */
export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (!tapeActive()) return tf.matMul(a, b);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
        tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
      ],
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/**
 * x [M,in] · W [in,out] for a frozen W: only dX = dY·Wᵀ is ever needed, and with `wT` = Wᵀ
 * kept beside W ([out,in], the Hugging Face layout) it is a plain product too.
 */
export function frozenMatMul(x: tf.Tensor2D, w: tf.Tensor2D, wT?: tf.Tensor2D): tf.Tensor2D {
  if (!tapeActive()) return tf.matMul(x, w);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.matMul(args[0] as tf.Tensor2D, w),
    gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, wT ?? tf.transpose(w))],
  }));
  return f(x) as tf.Tensor2D;
}

/**
 * Per-group products a [G,M,K] · b [G,K,N] → [G,M,N] (the attention heads). One plain 2-D
 * product per group beats the rank-3 kernel once a group's product is big enough to amortise
 * the per-op cost and the packing of each fresh right-hand side (K·N, paid for only M rows);
 * small ones, and decoding (M = a few rows), go to the batched kernel. Crossover measured on
 * wasm: M·K·N ≈ 64k with M ≥ 16.
 */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [g, m, k] = a.shape;
  const n = b.shape[2];
  if (g === 1) return mm(a.reshape([m, k]), b.reshape([k, n])).reshape([1, m, n]);
  const kernels = backendKernels();
  if (!kernels.splitGroupProducts || m * k * n < BMM_SPLIT_FLOPS || m < 16) return tf.matMul(a, b);
  if (!tapeActive() && kernels.groupMatMul) return kernels.groupMatMul(a, b); // same products, no unstack/stack copies
  const as = tf.unstack(a) as tf.Tensor2D[];
  const bs = tf.unstack(b) as tf.Tensor2D[];
  return tf.stack(as.map((x, i) => mm(x, bs[i]))) as tf.Tensor3D;
}

/** Multiply-adds per group above which bmm splits into 2-D products (measured on wasm). */
const BMM_SPLIT_FLOPS = 65536;
