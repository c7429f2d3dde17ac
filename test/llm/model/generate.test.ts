/**
 * Generation: the cached loop against greedy decoding by full recomputation, stop tokens and
 * limits, and the nucleus sampler against hand-derived probabilities.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { argmax, generate, initBackend, sampleTopP } from "../../../lib/llm";
import { Rng } from "../../../lib/util/rng";
import { randomModel, TINY_MISTRAL } from "../support";

before(async () => {
  await initBackend();
});

test("greedy generation with the KV cache equals arg-max of full recomputation at every step", () => {
  const model = randomModel(TINY_MISTRAL, 21);
  try {
    const prompt = [1, 40, 41, 42];
    const got = generate(model, prompt, { maxNewTokens: 9, greedy: true, stopIds: [] });
    const seq = [...prompt];
    for (let i = 0; i < 9; i++) {
      const last = tf.tidy(() => model.forward(tf.tensor2d([seq], undefined, "int32")).arraySync()[0][seq.length - 1]);
      seq.push(argmax(last));
    }
    assert.deepEqual(got, seq.slice(prompt.length));
    // Stop tokens end generation (and are not returned); maxNewTokens bounds it.
    assert.deepEqual(generate(model, prompt, { maxNewTokens: 9, greedy: true, stopIds: [got[3]] }), got.slice(0, got.indexOf(got[3])));
    assert.equal(generate(model, prompt, { maxNewTokens: 0 }).length, 0);
    // Seeded sampling is reproducible.
    const a = generate(model, prompt, { maxNewTokens: 12, temperature: 1.5, topP: 0.95, seed: 4, stopIds: [] });
    const b = generate(model, prompt, { maxNewTokens: 12, temperature: 1.5, topP: 0.95, seed: 4, stopIds: [] });
    assert.deepEqual(a, b);
    assert.throws(() => generate(model, [], { maxNewTokens: 1 }), /at least one token/);
  } finally {
    model.dispose();
  }
});

test("top-p keeps the smallest most-probable set reaching p; temperature sharpens", () => {
  const rng = new Rng(1);
  const logits = [Math.log(0.2), Math.log(0.5), Math.log(0.3)];
  const counts = [0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleTopP(logits, 1, 0.7, rng)]++;
  // Nucleus {1, 2} (0.5 + 0.3 ≥ 0.7): renormalised 0.625 / 0.375, token 0 never.
  assert.equal(counts[0], 0);
  assert.ok(Math.abs(counts[1] / n - 0.625) < 0.015, `${counts[1] / n}`);
  const full = [0, 0, 0];
  for (let i = 0; i < n; i++) full[sampleTopP(logits, 0.5, 1, rng)]++;
  // Temperature 0.5 squares the probabilities: 0.04, 0.25, 0.09 → /0.38.
  assert.ok(Math.abs(full[0] / n - 0.04 / 0.38) < 0.015 && Math.abs(full[1] / n - 0.25 / 0.38) < 0.015);
  for (let i = 0; i < 100; i++) assert.equal(sampleTopP(logits, 1, 1e-6, rng), 1);
  assert.equal(argmax([3, 7, 7, 1]), 1);
});
