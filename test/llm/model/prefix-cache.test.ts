/**
 * Decoder forward passes that share a prompt prefix: a PrefixCache continued by a right-padded
 * batch (padding between real tokens), and `alternatives` (several candidate tokens in one pass).
 * Reference: the plain forward of each sequence alone, no cache, no padding.
 */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../../support/backend";
import { initModel, PRESETS } from "../../../lib/llm";
import { PrefixCache } from "../../../lib/llm/model/prefix-cache";
import { Rng } from "../../../lib/util/rng";

before(useWasm);

// A sliding window of 6 against sequences of 9–17 tokens: the window bites for most queries.
const cfg = { ...PRESETS.tiny, vocabSize: 64, numLayers: 2, slidingWindow: 6 };

function randomIds(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => 3 + rng.int(60));
}

/** Logits of the last token of `seq`, alone: [V]. */
function lastLogits(model: ReturnType<typeof initModel>, seq: number[]): Float32Array {
  return tf.tidy(() => model.forward(tf.tensor2d([seq], [1, seq.length], "int32")).slice([0, seq.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test("a shared prefix cache continued by a right-padded batch = each sequence alone (sliding window by position)", () => {
  const model = initModel(cfg, 5);
  const rng = new Rng(3);
  const prefix = randomIds(rng, 4);
  const own = [5, 13, 9, 1].map((n) => randomIds(rng, n));
  const pc = new PrefixCache(model, prefix);
  const t = Math.max(...own.map((o) => o.length));
  const cache = pc.forRows(own.length);
  const logits = tf.tidy(() => {
    const ids = own.flatMap((o) => [...o, ...new Array<number>(t - o.length).fill(0)]);
    const mask = own.map((o) => [...new Array<number>(o.length).fill(1), ...new Array<number>(t - o.length).fill(0)]);
    return model.forward(tf.tensor2d(ids, [own.length, t], "int32"), { cache, attentionMask: mask, positions: own.map((o) => [o.length - 1]) }).arraySync() as number[][][];
  });
  own.forEach((o, i) => {
    const d = maxDiff(logits[i][0], lastLogits(model, [...prefix, ...o]));
    assert.ok(d < 1e-4, `row ${i}: max |Δlogit| ${d}`);
  });
  // The shared cache is untouched: a second batch from it gives the same answer.
  const again = pc.forRows(1);
  const one = tf.tidy(() => model.forward(tf.tensor2d([own[1]], [1, own[1].length], "int32"), { cache: again, positions: "last" }).dataSync() as Float32Array);
  assert.ok(maxDiff(one, lastLogits(model, [...prefix, ...own[1]])) < 1e-4);
  again.dispose();
  cache.dispose();
  pc.dispose();
  model.dispose();
});

test("alternatives: candidate tokens in one pass see the prompt and themselves only", () => {
  const model = initModel(cfg, 6);
  const rng = new Rng(4);
  const prompts = [10, 7].map((n) => randomIds(rng, n));
  const cand = [11, 12, 13];
  const t = Math.max(...prompts.map((p) => p.length));
  const logits = tf.tidy(() => {
    // Rows [prompt, padding, c1, c2, c3]: padding between the prompt and the candidates.
    const ids = prompts.flatMap((p) => [...p, ...new Array<number>(t - p.length).fill(0), ...cand]);
    const mask = prompts.map((p) => [...new Array<number>(p.length).fill(1), ...new Array<number>(t - p.length).fill(0), 1, 1, 1]);
    return model.forward(tf.tensor2d(ids, [prompts.length, t + 3], "int32"), { attentionMask: mask, alternatives: 3, positions: prompts.map((p) => [p.length - 1, t, t + 1, t + 2]) }).arraySync() as number[][][];
  });
  prompts.forEach((p, i) => {
    assert.ok(maxDiff(logits[i][0], lastLogits(model, p)) < 1e-4, `row ${i}: prompt's last token`);
    cand.forEach((c, k) => {
      const d = maxDiff(logits[i][1 + k], lastLogits(model, [...p, c]));
      assert.ok(d < 1e-4, `row ${i}, candidate ${k}: max |Δlogit| ${d}`);
    });
  });
  assert.throws(() => tf.tidy(() => model.forward(tf.tensor2d([[3, 4]], [1, 2], "int32"), { alternatives: 3 })), /alternatives must be an integer in 0\.\.2/);
  model.dispose();
});
