/**
 * The linear classification head (training config `head: "linear"`): scores and the loss against
 * a brute-force recomputation from the decoder's hidden states (one unpadded event at a time,
 * arithmetic in plain JavaScript), gradients, save/load and exact resume.
 */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { initModel, PRESETS } from "../../lib/llm";
import { eventFeatures, featureSize } from "../../lib/llm/adapters/fusion/features";
import { trainPromptTokenizer, syntheticRecords } from "../../lib/prompts";
import { LlmClassifier, LlmClassifierOptions } from "../../lib/train/llm-classifier";
import { readTensorFile } from "../../lib/train/tensor-file";
import type { EventRecord } from "../../lib/jets/record";

before(useWasm);

const tok = trainPromptTokenizer({ vocabSize: 512, seed: 1 });
const recs: EventRecord[] = [...syntheticRecords(6, 5)];
const cfg = { ...PRESETS.tiny, vocabSize: tok.vocabSize, numLayers: 2, slidingWindow: 64 };

function options(mode: LlmClassifierOptions["fusion"]["mode"]): LlmClassifierOptions {
  return { lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj"], rslora: false }, fusion: { mode, dropout: 0 }, prompt: {}, maxJets: 2, seed: 3, head: "linear" };
}

/** The last prompt token's final-norm hidden state of one event, by a full unpadded forward pass. */
function lastHiddenBrute(clf: LlmClassifier, r: EventRecord): number[] {
  const e = clf.example(r);
  return tf.tidy(() => {
    const ids = tf.tensor2d([e.promptIds], [1, e.promptIds.length], "int32");
    const embeds = clf.fusion
      ? clf.fusion.inject(clf.model.embed(ids), tf.tensor2d([...eventFeatures(r, 2)], [1, featureSize(2)]), [{ token: e.featuresTokenIndex, "first-token": 0, "last-token": e.promptIds.length - 1, off: 0 }[clf.fusion.cfg.mode]])
      : undefined;
    const h = clf.model.hidden(ids, { inputsEmbeds: embeds, training: false }).arraySync() as number[][][];
    return h[0][e.promptIds.length - 1];
  });
}

/** log softmax of [h·w₀ + b₀, h·w₁ + b₁] in plain JavaScript; w read as [D, 2]. */
function logProbs(clf: LlmClassifier, h: number[]): [number, number] {
  const w = clf.head!.w.arraySync() as number[][];
  const b = clf.head!.b.arraySync() as number[];
  const z = [0, 1].map((c) => h.reduce((s, x, d) => s + x * w[d][c], b[c]));
  const m = Math.max(z[0], z[1]);
  const lse = m + Math.log(Math.exp(z[0] - m) + Math.exp(z[1] - m));
  return [z[0] - lse, z[1] - lse];
}

function randomiseAdapters(clf: LlmClassifier, seed: number): void {
  // LoRA B starts at zero: make the adapter path non-trivial.
  for (const v of clf.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", seed));
}

test("linear head: batched scores and the class-weighted loss equal the brute force from hidden states", async () => {
  for (const mode of ["token", "first-token", "last-token", "off"] as const) {
    const model = initModel(cfg, 11);
    const clf = new LlmClassifier(model, tok, options(mode));
    randomiseAdapters(clf, 9);
    const p = await clf.score(recs, { batchSize: 4 }); // batches of 4 and 2: different padding
    const lp = recs.map((r) => logProbs(clf, lastHiddenBrute(clf, r)));
    p.forEach((x, i) => assert.ok(Math.abs(x - Math.exp(lp[i][1])) < 1e-4, `${mode} record ${i}: ${x} vs ${Math.exp(lp[i][1])}`));
    const cw = { signal: 2.5, background: 0.5 };
    const loss = clf.loss(recs, { seed: 0, classWeights: cw }).dataSync()[0];
    let num = 0;
    let den = 0;
    recs.forEach((r, i) => {
      const y = r.type === "signal" ? 1 : 0;
      const w = y ? cw.signal : cw.background;
      num -= w * lp[i][y];
      den += w;
    });
    assert.ok(Math.abs(loss - num / den) < 1e-4, `${mode} loss ${loss} vs ${num / den}`);
    clf.dispose();
    model.dispose();
  }
});

test("linear head: the head, every LoRA matrix and every fusion weight get gradient", () => {
  const model = initModel(cfg, 12);
  const clf = new LlmClassifier(model, tok, options("token"));
  clf.setTraining(true);
  const groups = clf.paramGroups({ weightDecay: 0, fusionLrScale: 1 });
  assert.deepEqual(groups.map((g) => g.name), ["lora", "fusion", "head"]);
  const vars = groups.flatMap((g) => g.variables);
  // LoRA B starts at zero, so A's gradient is zero on the first step by construction; perturb B.
  for (const v of clf.lora.variables()) if (v.shape[0] === 4) v.assign(tf.randomNormal(v.shape, 0, 0.1, "float32", 2));
  const { grads } = tf.variableGrads(() => clf.loss(recs.slice(0, 4), { seed: 1 }), vars);
  for (const v of vars) assert.ok(grads[v.name] && grads[v.name].abs().max().dataSync()[0] > 0, `zero gradient for ${v.name} [${v.shape}]`);
  // One training step counts prompt tokens only (no answers).
  assert.equal(clf.batchSize(recs.slice(0, 2)), clf.example(recs[0]).promptIds.length + clf.example(recs[1]).promptIds.length);
  clf.dispose();
  model.dispose();
});

test("linear head: saved in nn.Linear layout beside the adapters, loads to identical scores", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-head-"));
  const model = initModel(cfg, 14);
  const a = new LlmClassifier(model, tok, options("token"));
  assert.equal(a.fusion!.cfg.inputSize, featureSize(2), "the scaled encoding feeds the vector as it is");
  randomiseAdapters(a, 4);
  a.head!.b.assign(tf.tensor1d([0.3, -0.2]));
  const before = await a.score(recs);
  a.save(dir);
  const { tensors } = readTensorFile(path.join(dir, "classification_head.safetensors"));
  const w = a.head!.w.arraySync() as number[][]; // [D, 2]
  assert.deepEqual(tensors.get("weight")!.shape, [2, cfg.hiddenSize]);
  assert.equal(tensors.get("weight")!.data[1 * cfg.hiddenSize + 5], Math.fround(w[5][1]), "row 1 = signal, [out, in]");
  assert.deepEqual([...tensors.get("bias")!.data], [Math.fround(0.3), Math.fround(-0.2)]);
  a.dispose();
  const b = new LlmClassifier(model, tok, { ...options("token"), seed: 99 }); // different initial head
  assert.notDeepEqual(await b.score(recs), before);
  b.load(dir);
  assert.deepEqual(await b.score(recs), before);
  b.dispose();
  fs.rmSync(path.join(dir, "classification_head.safetensors"));
  const c = new LlmClassifier(model, tok, options("token"));
  assert.throws(() => c.load(dir), /head "linear" but no classification_head.safetensors/);
  c.dispose();
  model.dispose();
});

test("linear head: an interrupted run (LoRA + fusion dropout on) resumes to the uninterrupted run's losses", async () => {
  const { resolveTrainConfig } = await import("../../lib/train/config");
  const { train } = await import("../../lib/train/trainer");
  const data = { train: [...syntheticRecords(24, 8)] };
  // With the piecewise-linear numeric encoder: fitted on the training events, restored from the checkpoint.
  const opts: LlmClassifierOptions = { ...options("token"), lora: { r: 4, alpha: 8, dropout: 0.1, targets: ["q_proj", "v_proj"], rslora: false }, fusion: { mode: "token", dropout: 0.2 }, numeric: { encoding: "ple", bins: 4 } };
  const cfgFor = (dir: string) => resolveTrainConfig({
    run: "r", outDir: dir, model: { kind: "llm", path: "-" }, data: { train: "-" }, head: "linear", classWeights: { signal: 2, background: 1 },
    optim: { lr: 3e-3, warmupSteps: 1 }, schedule: { epochs: 2, batchSize: 4, logEverySteps: 1 }, checkpoint: { everySteps: 100, keep: 0 }, seed: 5,
  });
  const run = async (dir: string, stop?: number) => {
    const model = initModel(cfg, 21);
    const clf = new LlmClassifier(model, tok, opts);
    const r = await train(cfgFor(dir), clf, data, "tiny", { stopAfterStep: stop });
    clf.dispose();
    model.dispose();
    return r.losses;
  };
  const full = await run(fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-head-full-")));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-head-part-"));
  const first = await run(dir, 5);
  for (const f of ["classification_head.safetensors", "numeric_encoder.json"]) assert.ok(fs.existsSync(path.join(dir, "r", "checkpoint-5", f)), f);
  const rest = await run(dir);
  assert.equal(full.length, 12);
  assert.deepEqual([...first, ...rest], full);
  assert.ok(full[full.length - 1] !== full[0], "the loss moves");
});

test("training config: head defaults to \"lm\", accepts \"linear\", rejects anything else", async () => {
  const { resolveTrainConfig } = await import("../../lib/train/config");
  const base = { run: "r", model: { kind: "llm", path: "-" }, data: { train: "-" } };
  assert.equal(resolveTrainConfig(base).head, "lm");
  assert.equal(resolveTrainConfig({ ...base, head: "linear" }).head, "linear");
  assert.throws(() => resolveTrainConfig({ ...base, head: "mlp" }, "x.json"), /x\.json: invalid training config: \/head/);
});

test("ple numeric encoding: the fusion adapter reads F·(bins + 1) numbers; save/load restores the fitted bins and the scores", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-head-ple-"));
  const model = initModel(cfg, 15);
  const opts = { ...options("token"), numeric: { encoding: "ple" as const, bins: 3 } };
  const a = new LlmClassifier(model, tok, opts);
  assert.equal(a.fusion!.cfg.inputSize, featureSize(2) * 4);
  a.fitInputs([...syntheticRecords(40, 2)]);
  const before = await a.score(recs);
  a.save(dir);
  a.dispose();
  const b = new LlmClassifier(model, tok, opts);
  await assert.rejects(b.score(recs), /not fitted/);
  b.load(dir);
  assert.deepEqual(await b.score(recs), before);
  b.dispose();
  model.dispose();
});
