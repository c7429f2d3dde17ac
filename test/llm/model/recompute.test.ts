/**
 * Per-layer recomputation: gradients of the LoRA matrices and of the input embeddings equal those
 * of the plain backward (itself checked against finite differences in gradients.test.ts), with
 * LoRA dropout on (seeded, so the replay must draw the first run's masks) and with logits at
 * selected positions only; and the tensors held between forward and backward shrink.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { applyLora } from "../../../lib/llm";
import { useWasm } from "../../support/backend";
import { randomModel, TINY_MISTRAL } from "../support";

before(useWasm);

async function run(recompute: boolean, positions?: number[][]): Promise<{ grads: Float32Array[]; heldBytes: number }> {
  const model = randomModel({ ...TINY_MISTRAL, numLayers: 3 }, 5);
  model.recomputeLayers = recompute;
  const lora = applyLora(model, { r: 4, alpha: 8, dropout: 0.3, targetModules: ["q_proj", "k_proj", "o_proj", "up_proj", "down_proj"], seed: 2 });
  lora.setTraining(true);
  lora.modules.forEach((m, k) => {
    m.lora!.b.assign(tf.randomNormal(m.lora!.b.shape, 0, 0.2, "float32", 4 + k));
    m.lora!.seed = 100 + k; // as the trainer seeds each micro-batch
  });
  const d = TINY_MISTRAL.hiddenSize;
  const emb = tf.variable(tf.randomNormal([2, 7, d], 0, 1, "float32", 9));
  let heldBytes = 0;
  const { value, grads } = tf.variableGrads(() => {
    const before = tf.memory().numBytes;
    const logits = model.forward(tf.zeros([2, 7], "int32") as tf.Tensor2D, { inputsEmbeds: emb as unknown as tf.Tensor3D, positions });
    heldBytes = tf.memory().numBytes - before;
    return tf.mean(tf.square(logits)) as tf.Scalar;
  }, [emb, ...lora.variables()]);
  const out = [emb, ...lora.variables()].map((v) => grads[v.name].dataSync() as Float32Array);
  value.dispose();
  Object.values(grads).forEach((t) => t.dispose());
  lora.dispose();
  model.dispose();
  emb.dispose();
  return { grads: out, heldBytes };
}

function assertClose(a: Float32Array[], b: Float32Array[]): void {
  let worst = 0;
  let scale = 0;
  a.forEach((x, i) => x.forEach((v, j) => {
    worst = Math.max(worst, Math.abs(v - b[i][j]));
    scale = Math.max(scale, Math.abs(v));
  }));
  assert.ok(scale > 1e-4, "gradients must be non-trivial");
  assert.ok(worst <= 1e-5 * Math.max(1, scale), `max |Δgrad| = ${worst} (scale ${scale})`);
}

test("recomputed layers give the plain backward's gradients (dropout on, all positions)", async () => {
  const plain = await run(false);
  const replayed = await run(true);
  assertClose(plain.grads, replayed.grads);
  assert.ok(replayed.heldBytes < plain.heldBytes / 2, `held between passes: ${replayed.heldBytes} B replayed vs ${plain.heldBytes} B plain`);
});

test("recomputed layers with logits at selected positions", async () => {
  const pos = [[2, 6], [0, 5]];
  assertClose((await run(false, pos)).grads, (await run(true, pos)).grads);
});
