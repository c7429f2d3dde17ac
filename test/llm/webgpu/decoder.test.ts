/**
 * The decoder on the webgpu backend against the same independent references as
 * test/llm/model/decoder.test.ts: stories260K's golden logits and greedy ids (reference C
 * implementation) and a PyTorch Mistral forward (GQA, sliding window, left padding, KV cache).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, generateAsync, saveModel, KVCache } from "../../../lib/llm";
import { sharedFile, skipUnlessShared, skipUnlessPython } from "../../support/shared";
import { maxAbsDiff, randomModel, tempDir, TINY_MISTRAL, torchLogits } from "../support";
import { adapterName, onWebGpu, read } from "./support";

const STORIES = "fixtures/stories260K";
/** Logits vs the references: wasm meets 1e-4; llvmpipe measured ≤ 2e-6 (stories) and ≤ 3e-6 (random Mistral). */
const TOL = 1e-4;

test("webgpu: stories260K logits of [1, 403, 407] and greedy ids from BOS match the golden reference", { skip: skipUnlessShared(`${STORIES}/golden.json`) }, async (t) => {
  if (!(await onWebGpu(t))) return;
  const dir = sharedFile(STORIES)!;
  const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8"));
  const model = await loadModel(dir);
  try {
    const logits = (await read(model.forward(tf.tensor2d([golden.prompt_ids], undefined, "int32"))))[0];
    const d = maxAbsDiff(logits, golden.prompt_logits_all_positions);
    t.diagnostic(`${adapterName()}: max |logit − golden| = ${d.toExponential(2)}`);
    assert.ok(d < TOL, `logits differ by ${d}`);
    // The first 24 of the 200 golden ids: each step costs ~0.4 s on the software adapter here.
    const want: number[] = golden.greedy_ids_from_bos.slice(0, 24);
    const t0 = Date.now();
    const ids = await generateAsync(model, [1], { maxNewTokens: want.length - 1, greedy: true, stopIds: [1] });
    t.diagnostic(`greedy: ${ids.length} tokens in ${Date.now() - t0} ms`);
    assert.deepEqual([1, ...ids], want);
  } finally {
    model.dispose();
  }
});

const skipTorch = skipUnlessPython("torch", "python3-torch");
let dir: string | undefined;
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("webgpu: random Mistral (GQA, sliding window 5 < 12 tokens) against the PyTorch reference", { skip: skipTorch }, async (t) => {
  if (!(await onWebGpu(t))) return;
  dir = tempDir("mistral-webgpu");
  const mdir = path.join(dir, "m");
  // saveModel reads weights synchronously: write the reference's copy from the cpu backend, then
  // rebuild the same model (same seed) on webgpu.
  await tf.setBackend("cpu");
  const onCpu = randomModel(TINY_MISTRAL, 7);
  saveModel(onCpu, mdir);
  onCpu.dispose();
  await tf.setBackend("webgpu");
  const model = randomModel(TINY_MISTRAL, 7);
  const rng = (n: number, seed: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 37 + seed * 11) % 90));
  const full = [rng(12, 1), rng(12, 2)];
  const padded = [rng(12, 3), [0, 0, 0, 0, ...rng(8, 4)]];
  const mask = [Array(12).fill(1), [0, 0, 0, 0, ...Array(8).fill(1)]];
  const [refFull, refPadded] = torchLogits(mdir, [{ ids: full }, { ids: padded, mask }]);
  try {
    const got = await read(model.forward(tf.tensor2d(full, undefined, "int32")));
    const dFull = maxAbsDiff(got, refFull);
    const gotPad = await read(model.forward(tf.tensor2d(padded, undefined, "int32"), { attentionMask: mask }));
    const dPad = Math.max(maxAbsDiff(gotPad[0], refPadded[0]), maxAbsDiff(gotPad[1].slice(4), refPadded[1].slice(4)));
    // KV-cached decoding: prefill 6, then one token per step.
    const cache = new KVCache(TINY_MISTRAL.numLayers);
    const steps: number[][][][] = [await read(model.forward(tf.tensor2d(padded.map((r) => r.slice(0, 6)), undefined, "int32"), { cache, attentionMask: mask.map((r) => r.slice(0, 6)) }))];
    for (let i = 6; i < 12; i++) steps.push(await read(model.forward(tf.tensor2d(padded.map((r) => [r[i]]), undefined, "int32"), { cache })));
    cache.dispose();
    const cached = [0, 1].map((b) => steps.flatMap((s) => s[b]));
    const dCache = Math.max(maxAbsDiff(cached[0], refPadded[0]), maxAbsDiff(cached[1].slice(4), refPadded[1].slice(4)));
    t.diagnostic(`${adapterName()}: max |logit − PyTorch|: full ${dFull.toExponential(2)}, padded ${dPad.toExponential(2)}, KV cache ${dCache.toExponential(2)}`);
    assert.ok(dFull < TOL, `full forward: ${dFull}`);
    assert.ok(dPad < TOL, `padded batch: ${dPad}`);
    assert.ok(dCache < TOL, `KV-cached decoding: ${dCache}`);
  } finally {
    model.dispose();
  }
});
