/**
 * The fusion classifier on a real Hugging Face folder whose tokenizer lacks `<JET_FEATURES>`
 * (stories260K, ../shared), label-likelihood head:
 * - batched, cached scoring through the trainable row equals a brute-force forward pass of the
 *   model whose tables hold the row (written in by merge), one sequence at a time;
 * - save and load into a fresh model (which adds the token and grows again) restore the scores.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { loadModel } from "../../lib/llm";
import { eventFeatures, featureSize } from "../../lib/llm/adapters/fusion/features";
import { syntheticRecords } from "../../lib/prompts";
import { loadTokenizer } from "../../lib/tokenizer";
import { LlmClassifier, LlmClassifierOptions } from "../../lib/train/llm-classifier";
import { sharedFile, skipUnlessShared } from "../support/shared";

before(useWasm);

const MODEL = "fixtures/stories260K";
const skip = skipUnlessShared(MODEL);
const recs = [...syntheticRecords(3, 21)];
const options: LlmClassifierOptions = {
  lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj"], rslora: false }, fusion: { mode: "token", dropout: 0 }, prompt: {}, maxJets: 2, seed: 5,
};

async function classifier(): Promise<LlmClassifier> {
  const dir = sharedFile(MODEL)!;
  return new LlmClassifier(await loadModel(dir, { log: null }), loadTokenizer(dir), options, { model: true });
}

test("scoring through the added token's trainable row equals brute force on the model that holds the row", { skip }, async () => {
  const clf = await classifier();
  try {
    assert.equal(clf.tok.tokenToId("<JET_FEATURES>"), 512);
    for (const v of clf.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 9));
    clf.tokens!.rows.assign(tf.randomNormal([1, 64], 0, 1, "float32", 3));
    const ll = clf.labelLogLikelihoods(recs);
    clf.tokens!.merge(clf.model);
    recs.forEach((r, i) => {
      const e = clf.example(r);
      for (const label of ["signal", "background"] as const) {
        const seq = [...e.promptIds, ...e.answerIds[label]];
        const ref = tf.tidy(() => {
          const ids = tf.tensor2d([seq], [1, seq.length], "int32");
          const x = clf.encoder.encode(Float32Array.from(eventFeatures(r, 2)), 1);
          assert.equal(x.length, clf.encoder.outputSize, `one row of ${featureSize(2)} features`);
          const embeds = clf.fusion!.inject(clf.model.embed(ids), tf.tensor2d(x, [1, clf.encoder.outputSize]), [e.featuresTokenIndex]);
          const lp = tf.logSoftmax(clf.model.forward(ids, { inputsEmbeds: embeds }).reshape([seq.length, -1])).arraySync() as number[][];
          let s = 0;
          for (let j = e.promptIds.length; j < seq.length; j++) s += lp[j - 1][seq[j]];
          return s;
        });
        assert.ok(Math.abs(ll[label][i] - ref) < 2e-3, `record ${i} ${label}: ${ll[label][i]} vs brute force ${ref}`);
      }
    });
  } finally {
    clf.dispose();
  }
});

test("save and load into a fresh model restore the scores, the added row included", { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-clf-tokens-"));
  try {
    const a = await classifier();
    let before: number[];
    try {
      for (const v of a.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 4));
      a.tokens!.rows.assign(tf.randomNormal([1, 64], 0, 1, "float32", 6));
      before = await a.score(recs);
      a.save(dir);
    } finally {
      a.dispose();
    }
    assert.ok(fs.existsSync(path.join(dir, "tokenizer.json")), "the grown tokenizer is saved with the checkpoint");
    const b = await classifier();
    try {
      const fresh = await b.score(recs);
      assert.ok(fresh.some((p, i) => Math.abs(p - before[i]) > 1e-4), "an untrained classifier scores differently (so the check can fail)");
      b.load(dir);
      const again = await b.score(recs);
      again.forEach((p, i) => assert.ok(Math.abs(p - before[i]) < 1e-6, `event ${i}: ${p} vs ${before[i]}`));
    } finally {
      b.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the added row gets gradient through the input embedding, with the linear head too", { skip }, async () => {
  const dir = sharedFile(MODEL)!;
  // Linear head: the token's output logit is never read, so any gradient comes through the input.
  const clf = new LlmClassifier(await loadModel(dir, { log: null }), loadTokenizer(dir), { ...options, head: "linear" }, { model: true });
  try {
    const rows = clf.tokens!.rows;
    const { grads } = tf.variableGrads(() => clf.loss(recs, { seed: 1 }), [rows]);
    const g = grads[rows.name].dataSync() as Float32Array;
    const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    assert.ok(norm > 1e-6, `|d loss / d row| = ${norm}: the row must train`);
    Object.values(grads).forEach((t) => t.dispose());
  } finally {
    clf.dispose();
  }
});
