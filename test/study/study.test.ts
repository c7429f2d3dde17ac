import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useWasm } from "../support/backend";
import { readAllRecords, writeRecords } from "../../lib/dataset";
import { DATA_STEPS, runDemo } from "../../lib/demo";
import { readManifest } from "../../lib/report";
import { readScores } from "../../lib/metrics";
import { ARMS, PAIRS, QUICK_RECIPE, runStudy, StudyJson } from "../../lib/study";
import { evaluateRun } from "../../lib/train/run";
import { readSelection } from "../../lib/train/selection";

before(useWasm);

test("a quick study on simulated events: study.json keys and shape, selection blind to the tests, eval agrees, signal-free check", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-study-"));
  const data = path.join(root, "data");
  const demo = await runDemo({ outDir: data, seed: 4, jobs: 2, quick: true, progress: false, realBackground: "", log: () => undefined }, DATA_STEPS);
  const [s11, s110] = demo.context.artifacts.split!.sets;
  // The 1:1 test events again, labels swapped: the study must choose the same checkpoints and report 1 − AUC.
  const inverted = path.join(root, "inverted.jsonl");
  writeRecords(inverted, readAllRecords(s11.test.path).map((r) => ({ ...r, type: r.type === "signal" ? "background" : "signal" })));
  const bkg = demo.context.artifacts.backgroundOnly!;
  const lines: string[] = [];
  const out = path.join(root, "study");
  const recipe = { ...QUICK_RECIPE, pretrain: { ...QUICK_RECIPE.pretrain, steps: 2 }, llm: { ...QUICK_RECIPE.llm, trainEvents: 32 } };
  const r = await runStudy({ outDir: out, recipe, quick: true, train: s11.train.path, val: s11.val.path, tests: [s11.test.path, s110.test.path, inverted], backgroundOnly: bkg, seed: 4, jobs: 2, log: (l) => lines.push(l) });

  // Progress: a line per step and per training.
  for (let i = 1; i <= 6; i++) assert.ok(lines.some((l) => l.startsWith(`[${i}/6]`)), `step ${i} line`);
  for (const arm of ARMS) for (const seed of recipe.seeds) assert.ok(lines.some((l) => l.includes(`${arm}-seed${seed}: trained`)), `${arm} seed ${seed}`);

  const s = JSON.parse(fs.readFileSync(path.join(out, "study.json"), "utf8")) as StudyJson;
  assert.deepEqual(Object.keys(s.results).sort(), [...ARMS].sort());
  const keys = ["1-1/test.jsonl", "1-10/test.jsonl", "inverted.jsonl"];
  assert.deepEqual(Object.keys(s.data.tests), keys);
  for (const arm of ARMS) {
    assert.deepEqual(Object.keys(s.results[arm]), keys);
    assert.equal(s.arms[arm].runs.length, 3);
    for (const key of keys) {
      const e = s.results[arm][key];
      assert.equal(e.kind, "eval");
      assert.equal(e.seeds.length, 3);
      assert.equal(e.spread.auc.n, 3);
      assert.equal(e.metrics.intervalLevel, 0.95);
      assert.ok(Array.isArray(e.metrics.intervals!.auc), "AUC has its interval");
      assert.equal(e.checkpoint, e.seeds[0].entry.checkpoint, "the top-level entry is the first seed's");
      for (const sd of e.seeds) assert.equal(sd.entry.checkpoint, readSelection(sd.run)!.checkpoint, "the selected checkpoint is scored");
    }
    // Labels swapped on the same events: same checkpoints, AUC → 1 − AUC for every seed.
    s.results[arm]["inverted.jsonl"].seeds.forEach((sd, k) => {
      const normal = s.results[arm]["1-1/test.jsonl"].seeds[k].entry;
      assert.equal(sd.entry.checkpoint, normal.checkpoint);
      assert.ok(Math.abs(sd.entry.metrics.auc + normal.metrics.auc - 1) < 1e-9);
    });
  }
  // What `hepllm eval --json` gives for the selected checkpoint is what study.json holds.
  const first = s.results["mlp"]["1-10/test.jsonl"];
  const again = await evaluateRun(first.seeds[0].run, s110.test.path, { dataset: first.dataset });
  assert.equal(again.checkpoint, first.checkpoint);
  assert.equal(again.metrics.auc, first.metrics.auc);
  assert.deepEqual(again.metrics.intervals!.auc, first.metrics.intervals!.auc);

  for (const key of keys) {
    assert.deepEqual(Object.keys(s.paired[key]), PAIRS.map(([a, b]) => `${a} − ${b}`));
    for (const d of Object.values(s.paired[key])) assert.deepEqual(Object.keys(d), ["auc", "balancedAccuracy", "rejection30", "maxSic"]);
  }
  // Signal-free: the count of background-only scores at or above each run's cut, recounted from the scores file.
  const bkgKeys = Object.keys(s.data.backgroundOnly);
  assert.deepEqual(bkgKeys, ["background-only.jsonl"]);
  for (const arm of ARMS) {
    for (const p of s.signalFree.byArm[arm]["background-only.jsonl"].perSeed) {
      const sc = readScores(path.join(p.run, p.scoresFile));
      assert.equal(p.n, readAllRecords(bkg[0]).length);
      assert.equal(p.k, sc.scores.filter((x) => x >= p.threshold).length);
      assert.ok(p.interval[0] <= p.rate && p.rate <= p.interval[1]);
    }
  }
  const files = readManifest(path.join(out, "report")).map((e) => e.file);
  for (const f of ["interim-report.md", "paired-differences.md", "signal-free-check.md", "rejection-1-10-test-jsonl.svg", "sic-1-1-test-jsonl.svg", "score-distributions-inverted-jsonl.svg"]) {
    assert.ok(files.includes(f), f);
  }
  const md = fs.readFileSync(r.report.markdown, "utf8");
  for (const h of ["## What each arm saw", "## Test results", "## Paired differences", "## Signal-free check", "## What this shows", "## What it does not show"]) assert.ok(md.includes(h), h);
  assert.match(md, /jet tau21, jet tau32/, "the text-only arm's prompt carries the taus");
  fs.rmSync(root, { recursive: true });
});
