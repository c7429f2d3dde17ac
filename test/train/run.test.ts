import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useWasm } from "../support/backend";
import { writeRecords } from "../../lib/dataset";
import { syntheticRecords } from "../../lib/prompts";
import { readRunLog } from "../../lib/metrics";
import { analysisTools } from "../../lib/agents/tools";
import { evaluateRun, loadRunClassifier, runTrainingFile } from "../../lib/train/run";
import type { EventRecord } from "../../lib/jets/record";

before(useWasm);

test("train from a config file, evaluate a checkpoint, and classify through the agents' tool", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-run-"));
  const recs: EventRecord[] = [...syntheticRecords(120, 6)];
  const balanced = (xs: EventRecord[]) => xs.filter((r) => r.type === "signal").concat(xs.filter((r) => r.type === "background").slice(0, xs.filter((r) => r.type === "signal").length));
  writeRecords(path.join(dir, "train.jsonl"), balanced(recs.slice(0, 80)));
  writeRecords(path.join(dir, "val.jsonl"), recs.slice(80));
  const cfgFile = path.join(dir, "mlp.json");
  fs.writeFileSync(cfgFile, JSON.stringify({
    run: "mlp", outDir: dir, model: { kind: "mlp", hidden: [8], dropout: 0 },
    data: { train: path.join(dir, "train.jsonl"), val: path.join(dir, "val.jsonl") }, schedule: { epochs: 2, batchSize: 8 },
  }));
  const res = await runTrainingFile(cfgFile);
  assert.ok(res.steps > 0);
  const entry = await evaluateRun(res.runDir, path.join(dir, "val.jsonl"), { dataset: "held-out" });
  assert.equal(entry.dataset, "held-out");
  assert.equal(entry.metrics.n, 40);
  assert.ok(readRunLog(res.runDir).some((e) => e.kind === "eval" && e.dataset === "held-out"), "the evaluation is logged");
  assert.ok(readRunLog(res.runDir).some((e) => e.kind === "val"), "validation losses are logged for the loss curves");

  const { clf } = await loadRunClassifier(res.runDir);
  const reg = analysisTools({ records: recs, classifier: clf });
  const out = await reg.execute({ id: "call1", type: "function", function: { name: "classify_event", arguments: JSON.stringify({ ids: [80, 81] }) } });
  assert.ok(out.ok, out.content);
  const expected = await clf.score([recs[80], recs[81]]);
  for (const p of expected) assert.ok(out.content.includes(String(Number(p.toFixed(6))).slice(0, 6)), `${out.content} carries ${p}`);
  clf.dispose();
  await assert.rejects(loadRunClassifier(path.join(dir, "nope")), /no train_config\.json/);
});

test("an LLM run from a model folder frees the base model it loaded (training and evaluation)", async () => {
  const tf = await import("@tensorflow/tfjs");
  const { initModel, saveModel, PRESETS } = await import("../../lib/llm");
  const { trainPromptTokenizer } = await import("../../lib/prompts");
  const { saveTokenizer } = await import("../../lib/tokenizer");
  const { resolveTrainConfig } = await import("../../lib/train/config");
  const { runTraining } = await import("../../lib/train/run");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-run-llm-"));
  const recs: EventRecord[] = [...syntheticRecords(16, 7)];
  writeRecords(path.join(dir, "train.jsonl"), recs.slice(0, 8));
  writeRecords(path.join(dir, "val.jsonl"), recs.slice(8));
  const tok = trainPromptTokenizer({ vocabSize: 512, seed: 1 });
  saveTokenizer(tok, path.join(dir, "tok"));
  const model = initModel({ ...PRESETS.tiny, vocabSize: tok.vocabSize, numLayers: 1 }, 3);
  tf.tidy(() => model.forward(tf.tensor2d([[1, 2]], [1, 2], "int32"))); // RoPE's per-size cache exists from here on
  saveModel(model, path.join(dir, "model"), path.join(dir, "tok"));
  model.dispose();
  const start = tf.memory().numTensors;
  const cfg = resolveTrainConfig({
    run: "llm", outDir: dir, model: { kind: "llm", path: path.join(dir, "model") },
    data: { train: path.join(dir, "train.jsonl"), val: path.join(dir, "val.jsonl") },
    lora: { r: 2, alpha: 4, targets: ["q_proj"] }, schedule: { epochs: 1, batchSize: 4 }, eval: { batchSize: 8 },
  });
  const res = await runTraining(cfg);
  assert.equal(res.steps, 2);
  assert.equal(tf.memory().numTensors, start, "runTraining frees the model it loaded");
  await evaluateRun(res.runDir, path.join(dir, "val.jsonl"));
  assert.equal(tf.memory().numTensors, start, "evaluateRun frees the model it loaded");
});
