import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEMO_STEPS, runDemo } from "../../lib/demo";
import { readRunLog } from "../../lib/metrics";
import { readManifest } from "../../lib/report";
import { takeStratified } from "../../lib/train/trainer";
import type { EventRecord } from "../../lib/jets/record";

test("the whole demo runs end to end at smoke scale and writes the results table", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-demo-"));
  const lines: string[] = [];
  const res = await runDemo({
    outDir: path.join(root, "data"), runsDir: path.join(root, "runs"), reportsDir: path.join(root, "reports"),
    events: 500, seed: 2, jobs: 2, progress: false, pretrainSteps: 3, trainEvents: 32, valEvents: 40, epochs: 1, log: (l) => lines.push(l),
  }, DEMO_STEPS);
  assert.deepEqual(res.steps.map((s) => s.name), ["simulate", "prepare", "split", "base-model", "train", "evaluate", "report"]);
  for (const run of ["llm-fusion", "llm-no-fusion", "mlp-baseline"]) {
    const evals = readRunLog(path.join(root, "runs", run)).filter((e) => e.kind === "eval");
    const datasets = new Set(evals.map((e) => (e.kind === "eval" ? e.dataset.split(" ")[0] : "")));
    assert.deepEqual([...datasets].sort(), ["1:1", "1:10"], `${run} evaluated on both validation sets`);
  }
  const csv = fs.readFileSync(path.join(root, "reports", "results-table.csv"), "utf8").trim().split("\n");
  assert.ok(csv[0].startsWith("Date,Dataset,Checkpoint,Numeric Input,Accuracy,Background Precision,Signal Precision,F1 Score Signal,F1 Score Background,AUC,Max SIC"));
  const numeric = new Set(csv.slice(1).map((l) => l.split(",")[3]));
  assert.deepEqual([...numeric].sort(), ["MLP baseline", "off", "token"]);
  const files = readManifest(path.join(root, "reports")).map((e) => e.file);
  for (const f of ["interim-report.md", "interim-report.html", "results-table.csv"]) assert.ok(files.includes(f), `${f} exported`);
  for (const re of [/^roc-curves-1-1-\d+\.svg$/, /^roc-curves-1-10-40\.png$/, /^sic-curves-1-10-40\.svg$/, /^score-histogram-llm-fusion-1-10-40\.svg$/]) {
    assert.ok(files.some((f) => re.test(f)), `${re} exported (have ${files.join(", ")})`);
  }
});

test("stratified truncation keeps the class ratio (hand count)", () => {
  const recs = Array.from({ length: 110 }, (_, id) => ({ id, type: id % 11 === 0 ? "signal" : "background" }) as EventRecord);
  const t = takeStratified(recs, 55);
  assert.equal(t.length, 55);
  assert.equal(t.filter((r) => r.type === "signal").length, 5);
  assert.equal(takeStratified(recs, 500).length, 110);
});
