import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { initModel, PRESETS } from "../../lib/llm";
import { trainPromptTokenizer, syntheticRecords, encodePromptText, formatPrompt } from "../../lib/prompts";
import { causalLmLoss, initBaseModel, pretrain } from "../../lib/train/pretrain";

before(useWasm);

const tok = trainPromptTokenizer({ vocabSize: 512, seed: 2 });
const cfg = { ...PRESETS.tiny, vocabSize: tok.vocabSize };

test("causal LM loss equals the hand-computed mean next-token cross-entropy, padding ignored", () => {
  const model = initModel(cfg, 1);
  const seqs = [[1, 40, 41, 42, 43], [1, 50, 51]];
  const loss = causalLmLoss(model, seqs, tok.padId).dataSync()[0];
  let sum = 0;
  let n = 0;
  for (const s of seqs) {
    const lp = tf.tidy(() => tf.logSoftmax(model.forward(tf.tensor2d([s], [1, s.length], "int32")).reshape([s.length, -1])).arraySync() as number[][]);
    for (let j = 0; j + 1 < s.length; j++, n++) sum -= lp[j][s[j + 1]];
  }
  assert.ok(Math.abs(loss - sum / n) < 1e-4, `${loss} vs ${sum / n}`);
  model.dispose();
});

test("pre-training lowers the prompt loss and bakes the adapter into the base weights", () => {
  const model = initBaseModel(cfg, 2);
  const recs = [...syntheticRecords(64, 3)];
  const held = [...syntheticRecords(8, 99)].map((r) => encodePromptText(tok, formatPrompt(r)));
  const before = causalLmLoss(model, held, tok.padId).dataSync()[0];
  const held0 = tf.memory().numTensors;
  const losses = pretrain(model, tok, recs, { steps: 20, batchSize: 8, lr: 1e-2, rank: 16, warmupSteps: 3, seed: 0, prompt: {} });
  assert.equal(tf.memory().numTensors, held0, "the adapter and optimiser leave no tensors once baked");
  const after = causalLmLoss(model, held, tok.padId).dataSync()[0];
  assert.equal(losses.length, 20);
  assert.ok(after < before - 0.5, `held-out loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
  assert.ok(model.linears().every((l) => l.lora === undefined), "no adapter left after baking");
  model.dispose();
});
