import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { initModel, PRESETS } from "../../lib/llm";
import { trainPromptTokenizer, syntheticRecords } from "../../lib/prompts";
import { LlmClassifier, LlmClassifierOptions } from "../../lib/train/llm-classifier";
import type { EventRecord } from "../../lib/jets/record";

before(useWasm);

const tok = trainPromptTokenizer({ vocabSize: 512, seed: 1 });
const recs: EventRecord[] = [...syntheticRecords(6, 5)];
const cfg = { ...PRESETS.tiny, vocabSize: tok.vocabSize, numLayers: 2, slidingWindow: 64 };

function options(mode: LlmClassifierOptions["fusion"]["mode"]): LlmClassifierOptions {
  return { lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj"], rslora: false }, fusion: { mode, dropout: 0 }, prompt: {}, maxJets: 2, seed: 3 };
}

/** log p(answer | prompt) by one full forward pass over prompt + answer, no cache, no batching. */
function bruteForce(clf: LlmClassifier, r: EventRecord, label: "signal" | "background"): number {
  const e = clf.example(r);
  const seq = [...e.promptIds, ...e.answerIds[label]];
  return tf.tidy(() => {
    const ids = tf.tensor2d([seq], [1, seq.length], "int32");
    const embeds = clf.fusion
      ? clf.fusion.inject(clf.model.embed(ids), tf.tensor2d([...require("../../lib/llm/adapters/fusion/features").eventFeatures(r, 2)], [1, require("../../lib/llm/adapters/fusion/features").featureSize(2)]),
          [{ token: e.featuresTokenIndex, "first-token": 0, "last-token": e.promptIds.length - 1, off: 0 }[clf.fusion.cfg.mode]])
      : undefined;
    const lp = tf.logSoftmax(clf.model.forward(ids, { inputsEmbeds: embeds }).reshape([seq.length, -1])).arraySync() as number[][];
    let s = 0;
    for (let j = e.promptIds.length; j < seq.length; j++) s += lp[j - 1][seq[j]];
    return s;
  });
}

test("batched, cached scoring equals the brute-force label likelihoods", async () => {
  for (const mode of ["token", "first-token", "last-token", "off"] as const) {
    const model = initModel(cfg, 11);
    const clf = new LlmClassifier(model, tok, options(mode));
    // Make LoRA non-trivial (B starts at zero) so the adapter path is exercised too.
    for (const v of clf.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 9));
    const ll = clf.labelLogLikelihoods(recs);
    recs.forEach((r, i) => {
      for (const label of ["signal", "background"] as const) {
        const ref = bruteForce(clf, r, label);
        assert.ok(Math.abs(ll[label][i] - ref) < 2e-3, `${mode} record ${i} ${label}: ${ll[label][i]} vs ${ref}`);
      }
    });
    const p = await clf.score(recs, { batchSize: 4 });
    p.forEach((x, i) => assert.ok(Math.abs(x - 1 / (1 + Math.exp(ll.background[i] - ll.signal[i]))) < 1e-4 && x >= 0 && x <= 1, `score ${i}: ${x}`));
    clf.dispose();
    model.dispose();
  }
});

test("the numbers reach the loss: every fusion weight and LoRA matrix gets gradient", () => {
  const model = initModel(cfg, 12);
  const clf = new LlmClassifier(model, tok, options("token"));
  clf.setTraining(true);
  const vars = clf.paramGroups({ weightDecay: 0, fusionLrScale: 1 }).flatMap((g) => g.variables);
  // LoRA B starts at zero, so A's gradient is zero on the first step by construction; perturb B.
  for (const v of clf.lora.variables()) if (v.shape[0] === 4) v.assign(tf.randomNormal(v.shape, 0, 0.1, "float32", 2));
  const { grads } = tf.variableGrads(() => clf.loss(recs.slice(0, 4), { seed: 1 }), vars);
  for (const v of vars) assert.ok(grads[v.name] && grads[v.name].abs().max().dataSync()[0] > 0, `zero gradient for ${v.name} [${v.shape}]`);
  clf.dispose();
  model.dispose();
});

test("loss on answer tokens only: hand check against brute force", () => {
  const model = initModel(cfg, 13);
  const clf = new LlmClassifier(model, tok, options("off"));
  const batch = recs.slice(0, 3);
  const loss = clf.loss(batch, { seed: 0 }).dataSync()[0];
  let sum = 0;
  let n = 0;
  for (const r of batch) {
    const label = r.type === "signal" ? "signal" : "background";
    sum += bruteForce(clf, r, label);
    n += clf.example(r).answerIds[label].length;
  }
  assert.ok(Math.abs(loss - -sum / n) < 1e-3, `loss ${loss} vs ${-sum / n}`);
  clf.dispose();
  model.dispose();
});

test("save and load restore identical scores", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-clf-"));
  const model = initModel(cfg, 14);
  const a = new LlmClassifier(model, tok, options("token"));
  for (const v of a.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 4));
  a.fusion!.params.scale.assign(tf.scalar(0.7));
  const before = await a.score(recs);
  a.save(dir);
  assert.ok(fs.existsSync(path.join(dir, "adapter_config.json")) && fs.existsSync(path.join(dir, "adapter_model.safetensors")), "PEFT files at top level");
  a.dispose();
  const b = new LlmClassifier(model, tok, options("token"));
  b.load(dir);
  assert.deepEqual(await b.score(recs), before);
  b.dispose();
  model.dispose();
});

test("an interrupted LLM run (LoRA + fusion dropout on) resumes to the uninterrupted run's losses", async () => {
  const { resolveTrainConfig } = await import("../../lib/train/config");
  const { train } = await import("../../lib/train/trainer");
  const data = { train: [...syntheticRecords(24, 8)] };
  const opts: LlmClassifierOptions = { ...options("token"), lora: { r: 4, alpha: 8, dropout: 0.1, targets: ["q_proj", "v_proj"], rslora: false }, fusion: { mode: "token", dropout: 0.2 } };
  const cfgFor = (dir: string) => resolveTrainConfig({
    run: "r", outDir: dir, model: { kind: "llm", path: "-" }, data: { train: "-" },
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
  const full = await run(fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-llm-full-")));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-llm-part-"));
  const first = await run(dir, 5);
  const rest = await run(dir);
  assert.equal(full.length, 12);
  assert.deepEqual([...first, ...rest], full);
});

test("explain: the decision agrees with score and the text is what greedy decoding continues with", async () => {
  const { generate } = await import("../../lib/llm");
  const model = initModel(cfg, 31);
  const clf = new LlmClassifier(model, tok, options("off"));
  const r = recs[0];
  const x = clf.explain(r, { maxNewTokens: 5 });
  const [p] = await clf.score([r]);
  assert.ok(Math.abs(x.pSignal - p) < 1e-6);
  assert.equal(x.label, p >= 0.5 ? "signal" : "background");
  const e = clf.example(r);
  const ids = generate(model, [...e.promptIds, ...e.answerIds[x.label].slice(0, -1)], { maxNewTokens: 5, greedy: true, stopIds: [tok.eosId] });
  assert.equal(x.explanation, tok.decode(ids, { skipSpecial: true }).trim());
  clf.dispose();
  model.dispose();
});

test("training holds no tensors beyond its own: flat across steps, checkpoints, resumes and evaluations", async () => {
  const { resolveTrainConfig } = await import("../../lib/train/config");
  const { train } = await import("../../lib/train/trainer");
  const { AdamW } = await import("../../lib/train/adamw");
  const { optimiserStep } = await import("../../lib/train/step");
  // RoPE's rotate-half matrices are cached per head size for the process: make them exist first.
  const warm = initModel(cfg, 40);
  tf.tidy(() => warm.forward(tf.tensor2d([[1, 2]], [1, 2], "int32")));
  warm.dispose();
  const start = tf.memory().numTensors;
  const model = initModel(cfg, 41);
  const opts: LlmClassifierOptions = { ...options("token"), lora: { r: 4, alpha: 8, dropout: 0.1, targets: ["q_proj", "v_proj"], rslora: false }, fusion: { mode: "token", dropout: 0.2 } };
  const clf = new LlmClassifier(model, tok, opts);
  const held = tf.memory().numTensors;
  // Bare optimiser steps with gradient accumulation and clipping: the count after each is the same.
  const opt = new AdamW(clf.paramGroups({ weightDecay: 0.01, fusionLrScale: 2 }));
  clf.setTraining(true);
  const counts: number[] = [];
  for (let s = 0; s < 3; s++) {
    optimiserStep(opt, [() => clf.loss(recs.slice(0, 3), { seed: s }), () => clf.loss(recs.slice(3, 6), { seed: s + 7 })], 1e-3, 0.01);
    counts.push(tf.memory().numTensors);
  }
  assert.deepEqual(counts, [counts[0], counts[0], counts[0]], "optimiser steps leave no tensors");
  opt.dispose();
  assert.equal(tf.memory().numTensors, held, "the optimiser frees its moments");
  // The whole loop, a checkpoint every step and an evaluation every other: stopping after 2 steps
  // or resuming to the end holds the same tensors (the optimiser is freed by train itself).
  const data = { train: [...syntheticRecords(16, 9)], val: recs };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-llm-leak-"));
  const config = resolveTrainConfig({
    run: "r", outDir: dir, model: { kind: "llm", path: "-" }, data: { train: "-", val: "-" }, eval: { everySteps: 2, batchSize: 4 },
    optim: { lr: 1e-3, warmupSteps: 1 }, schedule: { epochs: 1, batchSize: 4, logEverySteps: 1 }, checkpoint: { everySteps: 1, keep: 2 }, seed: 5,
  });
  await train(config, clf, data, "tiny", { stopAfterStep: 2 });
  assert.equal(tf.memory().numTensors, held, "2 steps, 2 checkpoints, 1 evaluation");
  await train(config, clf, data, "tiny");
  assert.equal(tf.memory().numTensors, held, "resumed to 4 steps, 2 more checkpoints and evaluations");
  clf.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, start, "nothing is left once the classifier and model are disposed");
});
