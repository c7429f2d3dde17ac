/**
 * The benchmark's arms, each trained on the same training events and selected on val only:
 *   - hepllm classifiers (LLM with or without the fusion adapter, MLP baseline) through the
 *     project's own training loop: a checkpoint and a validation evaluation every `evalEvery`
 *     steps, the checkpoint with the best val AUC (the declared criterion) scores the tests;
 *   - scikit-learn's HistGradientBoostingClassifier on the same feature vectors (gbdt.py), its
 *     number of iterations picked by val AUC.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { EventRecord } from "../../lib/jets/record";
import { featureMatrix, featureSize } from "../../lib/llm/adapters/fusion/features";
import { readRunLog, EvalLogEntry } from "../../lib/metrics";
import { labelOf } from "../../lib/train/classifier";
import { checkpointDir, loadCheckpoint } from "../../lib/train/checkpoint";
import type { TrainConfig } from "../../lib/train/config";
import { buildClassifier } from "../../lib/train/run";
import { train } from "../../lib/train/trainer";
import type { BenchSets } from "./data";

export interface ArmResult {
  arm: string;
  /** P(signal) per test set name, in the set's event order. */
  scores: Record<string, number[]>;
  /** What was selected on val, e.g. "checkpoint-250 (val AUC 0.951)". */
  selected: string;
  /** Wall-clock seconds: training, selection and test scoring. */
  wallSeconds: number;
}

/** Trains a hepllm classifier by its config, picks the best-val-AUC checkpoint, scores the tests. */
export async function trainedArm(arm: string, cfg: TrainConfig, sets: BenchSets): Promise<ArmResult> {
  const t0 = Date.now();
  fs.rmSync(path.join(cfg.outDir, cfg.run), { recursive: true, force: true });
  const { clf, modelName } = await buildClassifier(cfg);
  try {
    const r = await train(cfg, clf, { train: sets.train, val: sets.val }, modelName);
    const evals = readRunLog(r.runDir).filter((e): e is EvalLogEntry => e.kind === "eval");
    if (evals.length === 0) throw new Error(`${arm}: no validation evaluation in ${r.runDir}`);
    const best = evals.reduce((a, e) => (e.metrics.auc > a.metrics.auc ? e : a));
    loadCheckpoint(checkpointDir(r.runDir, best.step), clf);
    clf.setTraining(false);
    const scores: Record<string, number[]> = {};
    for (const t of sets.tests) scores[t.name] = await clf.score(t.recs, { batchSize: cfg.eval.batchSize, progress: true });
    return { arm, scores, selected: `step ${best.step}/${r.steps} (val AUC ${best.metrics.auc.toFixed(4)})`, wallSeconds: (Date.now() - t0) / 1000 };
  } finally {
    clf.dispose();
  }
}

/** scikit-learn HistGradientBoostingClassifier on the scaled feature vectors (Debian's /usr/bin/python3). */
export function gbdtArm(sets: BenchSets, seed: number, maxJets: number): ArmResult {
  const t0 = Date.now();
  const rows = (recs: EventRecord[]): number[][] => {
    const f = featureSize(maxJets);
    const x = featureMatrix(recs, maxJets);
    return recs.map((_, i) => Array.from(x.subarray(i * f, (i + 1) * f)));
  };
  const input = {
    seed,
    train: { x: rows(sets.train), y: sets.train.map(labelOf) },
    val: { x: rows(sets.val), y: sets.val.map(labelOf) },
    tests: sets.tests.map((t) => ({ name: t.name, x: rows(t.recs) })),
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-gbdt-")), "input.json");
  fs.writeFileSync(file, JSON.stringify(input));
  // One OpenMP thread: spinning threads on a shared 2-core machine cost more than they gain.
  const py = spawnSync("/usr/bin/python3", [path.join(__dirname, "gbdt.py"), file], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, OMP_NUM_THREADS: "1" } });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (py.status !== 0) throw new Error(`gbdt.py failed (needs Debian's python3-sklearn): ${py.stderr || py.error}`);
  const out = JSON.parse(py.stdout) as { iterations: number; valAuc: number; scores: Record<string, number[]> };
  return { arm: "gbdt", scores: out.scores, selected: `${out.iterations} iterations (val AUC ${out.valAuc.toFixed(4)})`, wallSeconds: (Date.now() - t0) / 1000 };
}
