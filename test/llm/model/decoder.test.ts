/**
 * The decoder against independent references: the real stories260K model's golden greedy ids and
 * logits (reference C implementation), and a PyTorch Mistral forward (test/llm/reference) on a
 * random GQA model with a sliding window shorter than the sequence, including left-padded batches
 * and KV-cached decoding.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, loadModel, generate, saveModel, KVCache, Decoder } from "../../../lib/llm";
import { sharedFile, skipUnlessShared, skipUnlessPython } from "../../support/shared";
import { maxAbsDiff, randomModel, tempDir, TINY_MISTRAL, torchLogits } from "../support";

const STORIES = "fixtures/stories260K";
const TOL = 1e-4;

before(async () => {
  await initBackend();
});

test("stories260K: greedy ids from BOS and logits of [1, 403, 407] match the golden reference", { skip: skipUnlessShared(`${STORIES}/golden.json`) }, async () => {
  const dir = sharedFile(STORIES)!;
  const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8"));
  const model = await loadModel(dir);
  try {
    const logits = tf.tidy(() => model.forward(tf.tensor2d([golden.prompt_ids], undefined, "int32")).arraySync()[0]);
    assert.ok(maxAbsDiff(logits, golden.prompt_logits_all_positions) < TOL, `logits differ by ${maxAbsDiff(logits, golden.prompt_logits_all_positions)}`);
    const last = logits[logits.length - 1];
    const top5 = last.map((v, i) => [i, v]).sort((a, b) => b[1] - a[1]).slice(0, 5).map((p) => p[0]);
    assert.deepEqual(top5, golden.prompt_last_logits_top5.map((p: number[]) => p[0]));
    const want: number[] = golden.greedy_ids_from_bos;
    const ids = generate(model, [1], { maxNewTokens: want.length - 1, greedy: true, stopIds: [1] });
    assert.deepEqual([1, ...ids], want);
  } finally {
    model.dispose();
  }
});

test("stories260K: low-memory (bfloat16 host weights) mode runs and stays close", { skip: skipUnlessShared(`${STORIES}/model.safetensors`) }, async () => {
  const dir = sharedFile(STORIES)!;
  const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8"));
  const model = await loadModel(dir, { lowMemory: true });
  try {
    const logits = tf.tidy(() => model.forward(tf.tensor2d([golden.prompt_ids], undefined, "int32")).arraySync()[0]);
    // bfloat16 keeps 8 mantissa bits: the logits move, but the top token must not.
    const last = logits[2];
    assert.equal(last.indexOf(Math.max(...last)), golden.prompt_last_logits_top5[0][0]);
    assert.ok(maxAbsDiff(logits, golden.prompt_logits_all_positions) < 0.5);
  } finally {
    model.dispose();
  }
});

let model: Decoder;
let dir: string;
const skipTorch = skipUnlessPython("torch", "python3-torch");

test("random Mistral (GQA, sliding window 5 < 12 tokens) against the PyTorch reference", { skip: skipTorch }, async (t) => {
  model = randomModel(TINY_MISTRAL, 7);
  dir = tempDir("mistral");
  saveModel(model, path.join(dir, "m"));
  const mdir = path.join(dir, "m");
  const rng = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 37 + seed * 11) % 90));
  const full = [rng(12, 1), rng(12, 2)];
  // Row 1 is left-padded by 4 (pad id 0), row 0 is full.
  const padded = [rng(12, 3), [0, 0, 0, 0, ...rng(8, 4)]];
  const mask = [Array(12).fill(1), [0, 0, 0, 0, ...Array(8).fill(1)]];
  const [refFull, refPadded, refUnpadded] = torchLogits(mdir, [{ ids: full }, { ids: padded, mask }, { ids: [rng(8, 4)] }]);

  await t.test("full forward, batch of 2", () => {
    const got = tf.tidy(() => model.forward(tf.tensor2d(full, undefined, "int32")).arraySync());
    assert.ok(maxAbsDiff(got, refFull) < TOL, `max diff ${maxAbsDiff(got, refFull)}`);
    assert.ok(Math.max(...refFull[0][11].map(Math.abs)) > 0.5, "reference logits are O(1)");
  });

  await t.test("left-padded batch with an attention mask (real positions only)", () => {
    const got = tf.tidy(() => model.forward(tf.tensor2d(padded, undefined, "int32"), { attentionMask: mask }).arraySync());
    assert.ok(maxAbsDiff(got[0], refPadded[0]) < TOL);
    assert.ok(maxAbsDiff(got[1].slice(4), refPadded[1].slice(4)) < TOL, `max diff ${maxAbsDiff(got[1].slice(4), refPadded[1].slice(4))}`);
    // Left padding changes nothing for the real tokens (positions restart at 0 after the pads).
    assert.ok(maxAbsDiff(got[1].slice(4), refUnpadded[0]) < TOL);
  });

  await t.test("KV-cached decoding equals the full forward (padded batch, prefill 6 then 1 token per step)", () => {
    const cache = new KVCache(TINY_MISTRAL.numLayers);
    const steps: number[][][][] = [];
    steps.push(tf.tidy(() => model.forward(tf.tensor2d(padded.map((r) => r.slice(0, 6)), undefined, "int32"), { cache, attentionMask: mask.map((r) => r.slice(0, 6)) }).arraySync()));
    for (let i = 6; i < 12; i++) {
      steps.push(tf.tidy(() => model.forward(tf.tensor2d(padded.map((r) => [r[i]]), undefined, "int32"), { cache }).arraySync()));
    }
    cache.dispose();
    const got = [0, 1].map((b) => steps.flatMap((s) => s[b]));
    assert.ok(maxAbsDiff(got[0], refPadded[0]) < TOL, `row 0: ${maxAbsDiff(got[0], refPadded[0])}`);
    assert.ok(maxAbsDiff(got[1].slice(4), refPadded[1].slice(4)) < TOL, `row 1: ${maxAbsDiff(got[1].slice(4), refPadded[1].slice(4))}`);
  });

  await t.test("inputsEmbeds = embed(ids) and positions select the same logits", () => {
    const ids = tf.tensor2d(full, undefined, "int32");
    const viaEmbeds = tf.tidy(() => model.forward(ids, { inputsEmbeds: model.embed(ids) }).arraySync());
    assert.ok(maxAbsDiff(viaEmbeds, refFull) < TOL);
    const last = tf.tidy(() => model.forward(ids, { positions: "last" }).arraySync());
    assert.ok(maxAbsDiff(last, refFull.map((r) => [r[11]])) < TOL);
    const some = tf.tidy(() => model.forward(ids, { positions: [[2, 9], [0, 11]] }).arraySync());
    assert.ok(maxAbsDiff(some, [[refFull[0][2], refFull[0][9]], [refFull[1][0], refFull[1][11]]]) < TOL);
    ids.dispose();
  });
});

test("gradients flow to a vector added to the input embeddings (the fusion adapter's path)", () => {
  const m = randomModel(TINY_MISTRAL, 9);
  try {
    const ids = tf.tensor2d([[1, 5, 9, 13, 17, 21], [0, 0, 4, 8, 12, 16]], undefined, "int32");
    const base = m.embed(ids);
    const shift = tf.variable(tf.zeros([TINY_MISTRAL.hiddenSize]));
    const loss = () => tf.tidy(() => tf.sum(m.forward(ids, { inputsEmbeds: tf.add(base, shift) as tf.Tensor3D, attentionMask: [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]], positions: "last" }).slice([0, 0, 7], [2, 1, 1])) as tf.Scalar);
    const { grads } = tf.variableGrads(loss, [shift]);
    const g = grads[shift.name].dataSync();
    // The derivative along a fixed direction u (all coordinates: a signal ~√D larger than one
    // coordinate's, so float32 rounding of the loss matters less), by central differences at
    // steps h and 2h combined (Richardson: the h² curvature terms cancel).
    const d = TINY_MISTRAL.hiddenSize;
    const u = Float32Array.from({ length: d }, (_, i) => Math.sin(12.9898 * (i + 1)));
    const norm = Math.hypot(...u);
    u.forEach((x, i) => (u[i] = x / norm));
    const at = (h: number): number => {
      shift.assign(tf.tidy(() => tf.mul(tf.tensor1d(u), h)) as tf.Tensor1D);
      return loss().dataSync()[0];
    };
    const central = (h: number): number => (at(h) - at(-h)) / (2 * h);
    const numeric = (4 * central(1e-2) - central(2e-2)) / 3;
    let analytic = 0;
    for (let i = 0; i < d; i++) analytic += g[i] * u[i];
    assert.ok(Math.abs(numeric - analytic) < 1e-3 * Math.abs(analytic), `analytic ${analytic} vs numeric ${numeric}`);
    shift.dispose();
    base.dispose();
    ids.dispose();
  } finally {
    m.dispose();
  }
});

test("a model folder round-trips through saveModel/loadModel (tied embeddings, llama)", async () => {
  const cfg = { ...TINY_MISTRAL, modelType: "llama" as const, slidingWindow: null, tieWordEmbeddings: true };
  const m = randomModel(cfg, 3);
  const d = tempDir("roundtrip");
  try {
    saveModel(m, path.join(d, "m"));
    const files = fs.readdirSync(path.join(d, "m")).sort();
    assert.deepEqual(files, ["config.json", "model.safetensors"]);
    const back = await loadModel(path.join(d, "m"));
    const ids = tf.tensor2d([[1, 5, 9, 13]], undefined, "int32");
    const a = tf.tidy(() => m.forward(ids).arraySync());
    const b = tf.tidy(() => back.forward(ids).arraySync());
    assert.equal(maxAbsDiff(a, b), 0);
    back.dispose();
    ids.dispose();
  } finally {
    m.dispose();
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test("saveModel writes config, weights and the tokenizer files of tokenizerDir", { skip: skipUnlessShared(`${STORIES}/tokenizer.json`) }, () => {
  const m = randomModel({ ...TINY_MISTRAL, vocabSize: 512 }, 4);
  const d = tempDir("withtok");
  try {
    saveModel(m, path.join(d, "m"), sharedFile(STORIES)!);
    const files = fs.readdirSync(path.join(d, "m")).sort();
    assert.deepEqual(files, ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    assert.throws(() => saveModel(m, path.join(d, "n"), d), /no tokenizer files/);
    assert.ok(!fs.existsSync(path.join(d, "n")), "no partial folder after a failure");
  } finally {
    m.dispose();
    fs.rmSync(d, { recursive: true, force: true });
  }
});

after(() => {
  model?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
