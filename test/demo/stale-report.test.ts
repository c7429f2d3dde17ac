import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluate } from "../../lib/metrics";
import { readManifest } from "../../lib/report";
import { StudyReportInput, writeStudyReport } from "../../lib/report/interim";
import { Rng } from "../../lib/util/rng";

/** A study's report input over `tests` test files, with scores files on disk (so figures are drawn). */
function fakeStudy(root: string, tests: string[]): StudyReportInput {
  const rng = new Rng(tests.length);
  const arms = ["llm-fusion", "llm-text", "mlp"];
  const results: StudyReportInput["results"] = {};
  const paired: StudyReportInput["paired"] = {};
  for (const arm of arms) {
    results[arm] = {};
    const run = path.join(root, `${arm}-seed1`);
    fs.mkdirSync(run, { recursive: true });
    for (const key of tests) {
      const labels = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0));
      const scores = labels.map((l) => 1 / (1 + Math.exp(-(2 * (l - 0.5) + rng.normal()))));
      const scoresFile = `scores-${key.replace(/\W+/g, "_")}.jsonl`;
      fs.writeFileSync(path.join(run, scoresFile), labels.map((l, i) => JSON.stringify({ id: i, label: l, score: scores[i] })).join("\n") + "\n");
      const metrics = evaluate(labels, scores, { bootstrap: 50, seed: 1 });
      const entry = { run: `${arm}-seed1`, checkpoint: "checkpoint-10", dataset: "test 1:3 @400", metrics, scoresFile };
      const spread = Object.fromEntries(["auc", "rejection30"].map((m) => [m, { mean: 0.8, std: 0.01, n: 3 }]));
      results[arm][key] = { ...entry, seeds: [{ seed: 1, run, entry }], spread };
    }
  }
  for (const key of tests) {
    paired[key] = { "llm-fusion − llm-text": { auc: { a: 0.81, b: 0.8, diff: 0.01, interval: [-0.01, 0.03], level: 0.95, verdict: "within CI", perSeed: [0.01] } } };
  }
  return {
    seconds: 1, quick: tests.length === 1,
    recipe: { seeds: [1, 2, 3], selection: "val_auc", workingPointEfficiency: 0.3, bootstrap: { resamples: 50, level: 0.95 } },
    data: { train: "train.jsonl", val: "val.jsonl", tests: Object.fromEntries(tests.map((t) => [t, t])), backgroundOnly: {} },
    baseModel: "base-model",
    arms: Object.fromEntries(arms.map((a) => [a, { text: a === "mlp" ? [] : ["jet m [GeV]"], vector: a === "llm-text" ? [] : ["jet1.m"], runs: [] }])),
    results, paired,
    signalFree: { efficiency: 0.3, level: 0.95, byArm: {} },
  };
}

test("a later, smaller run's report lists no file of an earlier run (the report folder is replaced)", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-stale-"));
  const dir = path.join(root, "report");
  // The "full" run: three test files; the "quick" run afterwards: one, with other names.
  await writeStudyReport(fakeStudy(path.join(root, "full"), ["1-1/test.jsonl", "1-10/test.jsonl", "extra.jsonl"]), dir);
  const before = readManifest(dir).map((e) => e.file);
  assert.ok(before.some((f) => f.includes("1-10-test-jsonl")), "the first report has figures of every test file");
  fs.writeFileSync(path.join(dir, "hand-made-note.txt"), "left by someone");
  const r = await writeStudyReport(fakeStudy(path.join(root, "quick"), ["quick-test.jsonl"]), dir);
  const files = fs.readdirSync(dir).sort();
  const listed = readManifest(dir).map((e) => e.file).sort();
  assert.deepEqual(files.filter((f) => f !== "manifest.json"), listed, "every file in the folder is in the manifest and vice versa");
  for (const f of before) {
    if (!/quick-test|paired-differences|interim-report|plotly/.test(f)) assert.ok(!files.includes(f), `stale ${f} is gone`);
  }
  assert.ok(listed.some((f) => f === "rejection-quick-test-jsonl.svg"));
  assert.ok(!listed.some((f) => f.includes("1-10")), "no figure of the earlier run");
  const md = fs.readFileSync(r.markdown, "utf8");
  assert.ok(!md.includes("1-10-test-jsonl"), "the report text names no earlier file");
  assert.match(md, /## What this shows[\s\S]*llm-fusion − llm-text: ΔAUC = \+0\.010 \[−0\.010, \+0\.030\][^\n]*within the CI/);
  assert.equal(r.files, listed.length);
  fs.rmSync(root, { recursive: true });
});
