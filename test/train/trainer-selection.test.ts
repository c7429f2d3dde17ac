import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useWasm } from "../support/backend";
import { writeRecords } from "../../lib/dataset";
import { EvalLogEntry, readRunLog, readScores } from "../../lib/metrics";
import { resolveTrainConfig } from "../../lib/train/config";
import { listCheckpoints, pruneCheckpoints } from "../../lib/train/checkpoint";
import { defaultCheckpoint, evaluateRun, runTraining } from "../../lib/train/run";
import { improves, readSelection } from "../../lib/train/selection";
import { Rng } from "../../lib/util/rng";
import type { EventRecord } from "../../lib/jets/record";
import { pairAuc } from "../support/pair-auc";

before(useWasm);

/** Overlapping classes (signal jets a little heavier), so AUC moves from checkpoint to checkpoint. */
function records(n: number, seed: number, firstId = 0): EventRecord[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const sig = i % 2 === 0;
    const jet = () => {
      const m = Math.max(1, (sig ? 140 : 100) + 60 * rng.normal());
      return { P_T: 1300 + 200 * rng.uniform(), eta: rng.normal(), phi: rng.range(-3, 3), E: 1500, m, n_particles: 40, P_T_lead: 200, tau1: 0.3, tau2: 0.15, tau3: 0.05, tau21: 0.5, tau32: 0.33, dR: {} };
    };
    return { id: firstId + i, type: sig ? "signal" : "background", n_particles: 150, n_jets: 2, M_jj: 3000, jets: [jet(), jet()] } as EventRecord;
  });
}

function setUp(metric: "val_auc" | "val_loss", keep: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-select-"));
  writeRecords(path.join(dir, "train.jsonl"), records(96, 1));
  writeRecords(path.join(dir, "val.jsonl"), records(80, 2, 1000));
  const test = records(200, 3, 2000);
  writeRecords(path.join(dir, "test.jsonl"), test);
  // The same events with the labels swapped: a choice that read the test set would differ.
  writeRecords(path.join(dir, "test-inverted.jsonl"), test.map((r) => ({ ...r, type: r.type === "signal" ? "background" : "signal" })));
  const cfg = (run: string) =>
    resolveTrainConfig({
      run, outDir: dir, model: { kind: "mlp", hidden: [8], dropout: 0 },
      data: { train: path.join(dir, "train.jsonl"), val: path.join(dir, "val.jsonl") },
      optim: { lr: 0.05, warmupSteps: 0 }, schedule: { epochs: 4, batchSize: 8, logEverySteps: 1 },
      checkpoint: { everySteps: 1, keep }, eval: { everySteps: 2, batchSize: 32 }, selection: { metric }, seed: 5,
    });
  return { dir, cfg };
}

test("a run selects its checkpoint by val AUC, keeps it through pruning, and eval uses it", async () => {
  const { dir, cfg } = setUp("val_auc", 1);
  const res = await runTraining(cfg("a"));
  const sel = readSelection(res.runDir)!;
  assert.ok(sel, "selected.json is written");
  assert.equal(sel.criterion, "val_auc");
  // Reference: the first checkpoint with the highest val AUC, recomputed from its scores file.
  const valEvals = readRunLog(res.runDir).filter((e): e is EvalLogEntry => e.kind === "eval");
  assert.equal(valEvals.length, res.steps / 2, "one val evaluation every 2 steps");
  let best = { step: -1, auc: -Infinity };
  for (const e of valEvals) {
    const s = readScores(path.join(res.runDir, e.scoresFile!));
    const auc = pairAuc(s.labels, s.scores);
    if (auc > best.auc + 1e-12) best = { step: e.step, auc };
  }
  assert.equal(sel.step, best.step);
  assert.notEqual(sel.step, res.steps, "here the best checkpoint is an earlier one, so the test tells selection from taking the last");
  assert.ok(Math.abs(sel.value - best.auc) < 1e-9);
  assert.ok(listCheckpoints(res.runDir).includes(sel.step), "the selected checkpoint survives keep = 1");
  assert.ok(listCheckpoints(res.runDir).length <= 2, "keep = 1 plus the selected one");
  assert.deepEqual(defaultCheckpoint(res.runDir), { step: sel.step, selected: true });

  // eval defaults to the selected checkpoint; the test file, even with its labels inverted, changes nothing.
  const normal = await evaluateRun(res.runDir, path.join(dir, "test.jsonl"));
  const inverted = await evaluateRun(res.runDir, path.join(dir, "test-inverted.jsonl"));
  assert.equal(normal.checkpoint, sel.checkpoint);
  assert.equal(inverted.checkpoint, sel.checkpoint);
  assert.ok(Math.abs(normal.metrics.auc + inverted.metrics.auc - 1) < 1e-9, "the inverted file really is inverted");
  assert.deepEqual(readSelection(res.runDir), sel, "scoring test files never touches the selection");

  // A second, identical run that is evaluated on the inverted test file only selects the same checkpoint.
  const res2 = await runTraining(cfg("b"));
  await evaluateRun(res2.runDir, path.join(dir, "test-inverted.jsonl"));
  assert.equal(readSelection(res2.runDir)!.step, sel.step);
  fs.rmSync(dir, { recursive: true });
});

test("val_loss selects the lowest validation loss over the whole val set", async () => {
  const { dir, cfg } = setUp("val_loss", 0);
  const res = await runTraining(cfg("c"));
  const sel = readSelection(res.runDir)!;
  const losses = readRunLog(res.runDir).filter((e) => e.kind === "val") as Array<{ step: number; loss: number }>;
  const min = losses.reduce((a, b) => (b.loss < a.loss ? b : a));
  assert.equal(sel.criterion, "val_loss");
  assert.equal(sel.step, min.step);
  assert.equal(sel.n, 80, "all 80 validation events");
  fs.rmSync(dir, { recursive: true });
});

test("improves: higher AUC, lower loss, ties keep the earlier; pruning spares protected steps", () => {
  assert.ok(improves("val_auc", 0.8, 0.7));
  assert.ok(!improves("val_auc", 0.7, 0.7));
  assert.ok(improves("val_loss", 0.3, 0.4));
  assert.ok(!improves("val_loss", 0.5, 0.4));
  assert.ok(improves("val_auc", 0.5, undefined));
  assert.ok(!improves("val_auc", NaN, 0.5));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-prune-"));
  for (const s of [1, 2, 3, 4, 5]) {
    fs.mkdirSync(path.join(dir, `checkpoint-${s}`));
    fs.writeFileSync(path.join(dir, `checkpoint-${s}`, "trainer_state.json"), "{}");
  }
  pruneCheckpoints(dir, 2, [1]);
  assert.deepEqual(listCheckpoints(dir), [1, 4, 5]);
  fs.rmSync(dir, { recursive: true });
});
