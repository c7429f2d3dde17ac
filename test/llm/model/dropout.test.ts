/**
 * The LoRA branch's dropout (lib/llm/model/dropout.ts) gives exactly tf.dropout's values for the
 * same seed, its gradient is dY times the same mask, and under a tape it keeps nothing of its own.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { seededDropout } from "../../../lib/llm/model/dropout";
import { useWasm } from "../../support/backend";

before(useWasm);

test("seeded dropout equals tf.dropout bit for bit; dX = dY · mask, mask drawn again from the seed", () => {
  const x = tf.randomNormal([37, 53], 0, 1, "float32", 4) as tf.Tensor2D;
  const dy = tf.randomNormal([37, 53], 0, 1, "float32", 5) as tf.Tensor2D;
  for (const [rate, seed] of [[0.05, 11], [0.5, 12345], [0.9, 7]] as const) {
    const ours = seededDropout(x, rate, seed).dataSync();
    const ref = tf.dropout(x, rate, undefined, seed).dataSync();
    assert.deepEqual(Array.from(ours), Array.from(ref));
    const kept = Array.from(ref).filter((v) => v !== 0).length / ref.length;
    assert.ok(Math.abs(kept - (1 - rate)) < 0.06, `kept ${kept} at rate ${rate}`);
    // The gradient of sum(dy ⊙ dropout(x)) is dy ⊙ m, m = dropout(1)/… : compare with tfjs's own gradient of tf.dropout.
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(seededDropout(v as tf.Tensor2D, rate, seed), dy)))(x).dataSync();
    const gRef = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.dropout(v, rate, undefined, seed), dy)))(x).dataSync();
    assert.deepEqual(Array.from(g), Array.from(gRef));
  }
  // No seed: a fresh one, and the backward draws the forward's mask again (1/keep where kept, 0 where dropped).
  let fwd = new Float32Array(0);
  const g = tf.grad((v: tf.Tensor) => {
    const y = seededDropout(v as tf.Tensor2D, 0.5);
    fwd = y.dataSync() as Float32Array;
    return tf.sum(y);
  })(x).dataSync();
  const xs = x.dataSync();
  fwd.forEach((y, i) => assert.equal(g[i], y === 0 && xs[i] !== 0 ? 0 : 2, `element ${i}`));
});
