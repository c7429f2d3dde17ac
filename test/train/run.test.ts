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
