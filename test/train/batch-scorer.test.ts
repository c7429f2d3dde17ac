/**
 * The batched scorer (length-sorted passes, shared-prefix cache, LoRA folded in, labels as
 * alternatives) against the plain definition, one event at a time: for each label a full forward
 * pass over prompt + answer with no cache, no padding and the LoRA branches unmerged, the
 * answer tokens' log-probabilities summed; P(signal) = σ(log L_s − log L_b). The linear head:
 * the last prompt position's hidden state of a full pass through the head. Identical within 1e-5,
 * on every path this machine has: the native scoring kernels (native-score.ts, the default where
 * the addon is built), the scoring forward in plain tfjs ops on the native products, and the
 * stock wasm products.
 */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { initModel, PRESETS } from "../../lib/llm";
import { featureMatrix } from "../../lib/llm/adapters/fusion/features";
import { trainPromptTokenizer, syntheticRecords } from "../../lib/prompts";
import type { Tokenizer } from "../../lib/tokenizer";
import { LlmClassifier, LlmClassifierOptions, HeadKind } from "../../lib/train/llm-classifier";
import { planPasses, scoreBatched } from "../../lib/train/batch-scorer";
import { sharedPrefixLength } from "../../lib/llm/model/prefix-cache";
import type { EventRecord } from "../../lib/jets/record";
import type { FusionMode } from "../../lib/llm/adapters/fusion/adapter";
import { nativeKernelsActive, useNativeKernels } from "../../lib/llm/kernels/native";
import { nativeScoring, useScoringKernels } from "../../lib/llm/kernels/native-score";
import { backendKernels } from "../../lib/llm/kernels/kernels";

before(useWasm);

const TOL = 1e-5;
// Prompts of ~120–190 tokens against a 32-token sliding window: the window bites everywhere.
const recs: EventRecord[] = [...syntheticRecords(7, 5), ...syntheticRecords(3, 8)];

function options(mode: FusionMode, head: HeadKind): LlmClassifierOptions {
  return { lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], rslora: false }, fusion: { mode, dropout: 0 }, prompt: {}, maxJets: 2, seed: 3, head };
}

/** Fusion embeddings of one unpadded sequence, the vector at the position its mode names. */
function embedsOf(clf: LlmClassifier, r: EventRecord, ids: tf.Tensor2D): tf.Tensor3D | undefined {
  if (!clf.fusion || clf.fusion.cfg.mode === "off") return undefined;
  const e = clf.example(r);
  const at = { token: e.featuresTokenIndex, "first-token": 0, "last-token": e.promptIds.length - 1 }[clf.fusion.cfg.mode];
  const x = tf.tensor2d(clf.encoder.encode(featureMatrix([r], 2), 1), [1, clf.encoder.outputSize]);
  return clf.fusion.inject(clf.model.embed(ids), x, [at]);
}

/** P(signal) of one event by the definition (see the file comment). */
function reference(clf: LlmClassifier, r: EventRecord): number {
  const e = clf.example(r);
  return tf.tidy(() => {
    if (clf.head) {
      const ids = tf.tensor2d([e.promptIds], [1, e.promptIds.length], "int32");
      const h = clf.model.hidden(ids, { inputsEmbeds: embedsOf(clf, r, ids), training: false }).reshape([e.promptIds.length, -1]);
      return clf.head.pSignal(h.slice([e.promptIds.length - 1, 0], [1, -1]) as tf.Tensor2D)[0];
    }
    const ll = (label: "signal" | "background"): number => {
      const seq = [...e.promptIds, ...e.answerIds[label]];
      const ids = tf.tensor2d([seq], [1, seq.length], "int32");
      const lp = tf.logSoftmax(clf.model.forward(ids, { inputsEmbeds: embedsOf(clf, r, ids), training: false }).reshape([seq.length, -1])).arraySync() as number[][];
      let s = 0;
      for (let j = e.promptIds.length; j < seq.length; j++) s += lp[j - 1][seq[j]];
      return s;
    };
    return 1 / (1 + Math.exp(ll("background") - ll("signal")));
  });
}

async function check(tok: Tokenizer, mode: FusionMode, head: HeadKind, expectAnswerLen?: number): Promise<void> {
  const cfg = { ...PRESETS.tiny, vocabSize: tok.vocabSize, slidingWindow: 32 };
  const model = initModel(cfg, 11);
  const clf = new LlmClassifier(model, tok, options(mode, head));
  try {
    // LoRA B starts at zero: randomise the adapter so folding it in changes the weights.
    for (const v of clf.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 9));
    clf.fitInputs(recs);
    if (expectAnswerLen !== undefined) assert.equal(clf.example(recs[0]).answerIds.signal.length, expectAnswerLen, "tokenizer gives the answer length this case exercises");
    const ref = recs.map((r) => reference(clf, r));
    // Answers of unequal length saturate P(signal) (~1 − 1e-13): compare log(1 − p), i.e. the log-odds, there.
    const saturated = expectAnswerLen !== undefined && expectAnswerLen > 2;
    if (!saturated) assert.ok(new Set(ref.map((p) => p.toFixed(4))).size > 3, `${mode}/${head}: reference probabilities vary across events (${ref})`);
    const before = tf.memory().numTensors;
    // The linear head runs the scoring forward (scoring-forward.ts) unless told not to; blocks 1 and 7: the square and many causal blocks.
    for (const opts of [{}, { prefixCache: false }, { tokensPerPass: 300, maxRows: 3 }, { alternatives: false }, { scoringForward: false }, { blocks: 1 }, { blocks: 7, prefixCache: false }]) {
      const p = await scoreBatched(clf, recs, opts);
      p.forEach((x, i) => assert.ok(Math.abs(x - ref[i]) < TOL, `${mode}/${head} ${JSON.stringify(opts)} event ${i}: ${x} vs reference ${ref[i]}`));
      if (saturated) p.forEach((x, i) => assert.ok(Math.abs(Math.log1p(-x) - Math.log1p(-ref[i])) < 1e-2, `event ${i}: log(1 − p) ${Math.log1p(-x)} vs ${Math.log1p(-ref[i])}`));
    }
    // The other paths: the scoring forward in plain tfjs ops (scoring kernels off), then on the stock wasm products.
    if (nativeKernelsActive()) {
      assert.ok(nativeScoring() === undefined || backendKernels().scoring !== undefined, "the scoring kernels are offered while the native kernels are active");
      const paths = [{ name: "tfjs ops, native products", set: () => useScoringKernels(false) }, { name: "stock wasm", set: () => useNativeKernels(false) }];
      try {
        for (const path of paths) {
          path.set();
          for (const opts of [{}, { blocks: 1, prefixCache: false }]) {
            const p = await scoreBatched(clf, recs, opts);
            p.forEach((x, i) => assert.ok(Math.abs(x - ref[i]) < TOL, `${mode}/${head} ${path.name} ${JSON.stringify(opts)} event ${i}: ${x} vs reference ${ref[i]}`));
          }
        }
      } finally {
        useScoringKernels(true);
        useNativeKernels(true);
      }
    }
    assert.equal(tf.memory().numTensors, before, "no tensors leak");
    // The classifier's own score() goes through the batched scorer; plain: true is the old path.
    const viaScore = await clf.score(recs);
    const plain = await clf.score(recs, { plain: true, batchSize: 4 });
    viaScore.forEach((x, i) => assert.ok(Math.abs(x - ref[i]) < TOL && Math.abs(plain[i] - ref[i]) < TOL, `score() event ${i}: ${x}, plain ${plain[i]}, reference ${ref[i]}`));
    // The LoRA branches are still in the model (the folded copy was a copy).
    assert.ok(clf.lora.modules.every((m) => m.lora !== undefined && !m.merged));
  } finally {
    clf.dispose();
    model.dispose();
  }
}

const tok512 = trainPromptTokenizer({ vocabSize: 512, seed: 1 }); // ` signal` = one token + EOS: the alternatives pass
const tok400 = trainPromptTokenizer({ vocabSize: 400, seed: 1 }); // ` signal` = 6 tokens + EOS: the cache-copy pass

for (const mode of ["last-token", "token", "first-token", "off"] as const) {
  test(`lm head, fusion ${mode}: batched scoring = one event at a time within 1e-5`, () => check(tok512, mode, "lm", 2));
}
for (const mode of ["token", "last-token"] as const) {
  test(`linear head, fusion ${mode}: batched scoring = one event at a time within 1e-5`, () => check(tok512, mode, "linear"));
}
test("lm head with multi-token answers (cache copied for both labels) = one event at a time within 1e-5", () => check(tok400, "last-token", "lm", 7));

test("planPasses: every event once, sorted by length, within the token budget", () => {
  const lengths = [50, 10, 30, 30, 200, 20, 10];
  const passes = planPasses(lengths, 100, 3);
  assert.deepEqual(passes.flat().sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(passes, [[1, 6, 5], [2, 3], [0], [4]]); // 3×20 ≤ 100 (3 rows max); 2×30; 50; 200 alone
});

test("sharedPrefixLength", () => {
  assert.equal(sharedPrefixLength([[1, 2, 3, 4], [1, 2, 5], [1, 2, 3]]), 2);
  assert.equal(sharedPrefixLength([[1, 2], [1, 2]]), 2);
  assert.equal(sharedPrefixLength([[1], [2]]), 0);
  assert.equal(sharedPrefixLength([]), 0);
});
