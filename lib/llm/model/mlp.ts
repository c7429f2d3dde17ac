/**
 * The SwiGLU feed-forward block (Shazeer 2020): down( silu(gate(x)) ⊙ up(x) ), silu(z) = z·σ(z).
 * Under a gradient tape the gating is one node with the closed-form backward
 * d(up) = dy·silu(g), d(gate) = dy·up·σ(g)·(1 + g·(1 − σ(g))).
 */
import * as tf from "@tensorflow/tfjs";
import { Linear } from "./linear";
import { tapeActive } from "../kernels/matmul";
import { backendKernels } from "../kernels/kernels";

export interface MlpWeights {
  gate: Linear; // [D → I]
  up: Linear; // [D → I]
  down: Linear; // [I → D]
}

/** silu(g) ⊙ u for g, u [N, I]. */
export function swiglu(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  const fused = backendKernels().fused?.swiglu;
  if (fused) return fused(g, u); // one kernel each way
  if (!tapeActive()) return tf.tidy(() => tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [gg, uu, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([gg, uu]);
    return {
      value: tf.mul(tf.mul(gg, tf.sigmoid(gg)), uu),
      gradFunc: (dy: tf.Tensor, [gs, us]: tf.Tensor[]) => {
        const s = tf.sigmoid(gs);
        const dGate = tf.mul(tf.mul(dy, us), tf.mul(s, tf.add(tf.mul(gs, tf.sub(1, s)), 1)));
        return [dGate, tf.mul(dy, tf.mul(gs, s))];
      },
    };
  });
  return f(g, u) as tf.Tensor2D;
}

/** x [N, D] → [N, D]. */
export function mlp(x: tf.Tensor2D, w: MlpWeights): tf.Tensor2D {
  return w.down.apply(swiglu(w.gate.apply(x), w.up.apply(x)));
}
