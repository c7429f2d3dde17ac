/**
 * Inverted dropout for the LoRA branch, y = x ⊙ m with m = ⌊u + keep⌋ / keep, u ~ U(0, 1) drawn
 * from `seed` — the very ops and values of tf.dropout(x, rate, undefined, seed) — whose backward
 * draws the same mask again from the seed (dX = dY ⊙ m) instead of keeping it. Under a tape,
 * tf.dropout keeps four tensors of x's size (the uniform draw, its floor, the multiplier, the
 * output, for Add, Div and Mul's gradients); this keeps none (the LoRA branch keeps the output it
 * multiplies): three fewer activations of the input's width per LoRA target and token, a third of
 * a 7B LoRA step's activations at dropout 0.05 (lib/llm/model/training-memory.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { tapeActive } from "../kernels/matmul";

/** x [N, D] with each value dropped at `rate` (kept ones scaled by 1/(1 − rate)); a fresh seed when none is given. */
export function seededDropout(x: tf.Tensor2D, rate: number, seed?: number): tf.Tensor2D {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x.clone();
  const s = seed ?? Math.floor(Math.random() * 2 ** 31);
  const keep = 1 - rate;
  const mask = (): tf.Tensor => tf.div(tf.floor(tf.add(tf.randomUniform(x.shape, 0, 1, "float32", s), keep)), keep);
  if (!tapeActive()) return tf.tidy(() => tf.mul(x, mask()) as tf.Tensor2D);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.mul(args[0] as tf.Tensor, mask()),
    gradFunc: (dy: tf.Tensor) => [tf.tidy(() => tf.mul(dy, mask()))],
  }));
  return f(x) as tf.Tensor2D;
}
