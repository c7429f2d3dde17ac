/**
 * RMSNorm (Zhang & Sennrich 2019) as in Llama/Mistral: y = x·r·g with r = 1/√(mean(x²) + ε),
 * over the last axis, in float32. Under a gradient tape it is one node with the closed-form
 * backward dx = r·u − x·r³·mean(x·u), u = g ⊙ dy (the gain g is frozen), instead of a dozen
 * recorded element-wise ops.
 */
import * as tf from "@tensorflow/tfjs";
import { tapeActive } from "../kernels/matmul";
import { backendKernels } from "../kernels/kernels";

/** x [N, D], gain g [D] → [N, D]. */
export function rmsNorm(x: tf.Tensor2D, gain: tf.Tensor1D, eps: number): tf.Tensor2D {
  const fused = backendKernels().fused?.rmsNorm;
  if (fused) return fused(x, gain, eps); // one kernel each way
  const inv = (v: tf.Tensor): tf.Tensor => tf.rsqrt(tf.add(tf.mean(tf.square(v), -1, true), eps)); // r, [N, 1]
  if (!tapeActive()) return tf.tidy(() => tf.mul(tf.mul(x, inv(x)), gain) as tf.Tensor2D);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const r = inv(xx);
    save([xx, r]);
    return {
      value: tf.mul(tf.mul(xx, r), gain),
      gradFunc: (dy: tf.Tensor, [xs, rs]: tf.Tensor[]) => {
        const u = tf.mul(dy, gain);
        const dot = tf.mean(tf.mul(xs, u), -1, true);
        return [tf.sub(tf.mul(u, rs), tf.mul(xs, tf.mul(tf.mul(tf.square(rs), rs), dot)))];
      },
    };
  });
  return f(x) as tf.Tensor2D;
}
