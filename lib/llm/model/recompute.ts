/**
 * Per-layer recomputation (activation checkpointing; Chen et al. 2016, "Training Deep Nets with
 * Sublinear Memory Cost"). Under a gradient tape a decoder layer normally keeps ~80 tensors for
 * its backward (36 MB per layer for TinyLlama at 128 tokens; the wasm heap reached 2.2 GB in one
 * step). Wrapped here, the forward keeps only the layer's input and the tensors it shares with the
 * other layers (rotary tables, attention bias); the backward runs the layer's forward again under
 * a tape of its own and differentiates it at once, so one layer's activations exist at a time.
 * Cost: one more forward per step (≈ +1/3 of the FLOPs; with low-memory weights one more bf16
 * expansion of each projection).
 *
 * The layer function must be deterministic given its inputs: LoRA dropout masks come from the
 * seeds set before the forward (Decoder seeds them), so the replay draws the same masks.
 */
import * as tf from "@tensorflow/tfjs";

/** The engine internals this relies on (tfjs-core 4.x): its tape, and `gradients` with an upstream dy. */
interface EngineInternals {
  state: { activeTape: unknown };
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}

/**
 * y = layer(x, shared) with the gradient dy ↦ (dx, d vars) computed by replaying the layer.
 * `shared`: tensors the layer reads besides x (kept for the backward by the engine, then freed);
 * `vars`: every trainable variable the layer reads (its LoRA matrices); gradients of any other
 * variable inside the layer would be lost, so the caller lists them all.
 */
export function recomputed(
  layer: (x: tf.Tensor2D, shared: tf.Tensor[]) => tf.Tensor2D,
  x: tf.Tensor2D,
  shared: tf.Tensor[],
  vars: tf.Variable[],
): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const xin = args[0] as tf.Tensor2D;
    save([xin, ...shared]);
    return {
      // The engine runs this forward in a tidy with the tape off: no intermediate survives it.
      value: layer(xin, shared),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ...sh] = saved;
        const engine = tf.engine() as unknown as EngineInternals;
        // The replay's own gradients() replaces the engine's active tape (the outer backward
        // already holds its filtered copy) and clears it when done: put the outer one back so
        // the outer pass can still free its saved tensors.
        const outer = engine.state.activeTape;
        try {
          const { value, grads } = engine.gradients(() => layer(xs as tf.Tensor2D, sh), [xs, ...vars], dy);
          value.dispose();
          return grads.map((g, i) => g ?? tf.zerosLike(i === 0 ? xs : vars[i - 1]));
        } finally {
          engine.state.activeTape = outer;
        }
      },
    };
  });
  return f(x, ...vars) as tf.Tensor2D;
}
