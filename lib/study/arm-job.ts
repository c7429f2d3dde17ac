/**
 * One training of the study — an arm with one seed — from start to numbers: train (the trainer
 * picks the checkpoint on val), score the selected checkpoint on every test file (an eval entry
 * each, as `hepllm eval --json` gives it), fix the working point on val (the cut keeping the
 * recipe's signal efficiency) and count false positives on the background-only samples. Runs in a
 * child process (./arm-worker.ts) so that trainings run in parallel, or in-process.
 */
import * as path from "node:path";
import { readAllRecords } from "../dataset";
import { EvalLogEntry, falsePositiveRate, FalsePositiveRate, readRunLog, readScores, thresholdAtSignalEfficiency } from "../metrics";
import type { TrainConfig } from "../train/config";
import { loadRunClassifier, runTraining } from "../train/run";
import type { Selection } from "../train/selection";
import { datasetLabel, evaluateClassifier } from "../train/trainer";
import { writeFileAtomic } from "../util/atomic";
import type { Arm } from "./arms";

/** A labelled or background-only file and the key it has in study.json. */
export interface KeyedFile {
  key: string;
  path: string;
}

export interface ArmJob {
  arm: Arm;
  seed: number;
  config: TrainConfig;
  tests: KeyedFile[];
  backgroundOnly: KeyedFile[];
  /** Signal efficiency on val that fixes the working point. */
  workingPointEfficiency: number;
  /** Confidence level of the false-positive intervals. */
  level: number;
}

export interface ArmJobResult {
  arm: Arm;
  seed: number;
  runDir: string;
  steps: number;
  selected: Selection;
  /** Test key → the selected checkpoint's evaluation. */
  tests: Record<string, EvalLogEntry>;
  /** The working point, fixed on val at the selected checkpoint. */
  workingPoint: { efficiency: number; threshold: number; data: string };
  /** Background-only key → false positives at the working point. */
  signalFree: Record<string, FalsePositiveRate & { scoresFile: string }>;
  seconds: number;
}

/** Runs one arm and seed; `note` receives short progress messages. */
export async function runArmJob(job: ArmJob, note: (msg: string) => void = () => {}): Promise<ArmJobResult> {
  const t0 = Date.now();
  const cfg = job.config;
  const trained = await runTraining(cfg);
  if (!trained.selected) throw new Error(`${cfg.run}: no checkpoint was selected (is the validation file ${cfg.data.val} empty?)`);
  const sel = trained.selected;
  note(`trained ${trained.steps} steps, selected ${sel.checkpoint} (${sel.criterion} ${sel.value.toFixed(4)})`);

  // The working point from the val scores the trainer wrote for the selected checkpoint.
  const valEval = readRunLog(trained.runDir).find((e): e is EvalLogEntry => e.kind === "eval" && e.checkpoint === sel.checkpoint && e.data === sel.data);
  if (!valEval?.scoresFile) throw new Error(`${cfg.run}: no validation scores for ${sel.checkpoint}`);
  const val = readScores(path.join(trained.runDir, valEval.scoresFile));
  const threshold = thresholdAtSignalEfficiency(val.labels, val.scores, job.workingPointEfficiency);

  const { clf, modelName, step, dir } = await loadRunClassifier(trained.runDir);
  const tests: Record<string, EvalLogEntry> = {};
  const signalFree: ArmJobResult["signalFree"] = {};
  try {
    if (step !== sel.step) throw new Error(`${cfg.run}: loaded checkpoint-${step}, but ${sel.checkpoint} was selected`);
    for (const t of job.tests) {
      const recs = readAllRecords(t.path);
      tests[t.key] = await evaluateClassifier(clf, recs, {
        runDir: trained.runDir, run: cfg.run, step, epoch: valEval.epoch, checkpoint: path.basename(dir), data: t.path,
        dataset: `test ${datasetLabel(recs)}`, model: modelName, batchSize: cfg.eval.batchSize,
      });
      note(`${t.key}: AUC ${tests[t.key].metrics.auc.toFixed(3)}`);
    }
    for (const b of job.backgroundOnly) {
      const recs = readAllRecords(b.path);
      const signal = recs.filter((r) => r.type === "signal").length;
      if (signal > 0) throw new Error(`${b.path}: a background-only sample holds ${signal} signal events`);
      clf.setTraining(false);
      const scores = await clf.score(recs, { batchSize: cfg.eval.batchSize });
      const scoresFile = path.join(trained.runDir, `scores-${path.basename(dir)}-background-only-${b.key.replace(/[^A-Za-z0-9]+/g, "_")}.jsonl`);
      writeFileAtomic(scoresFile, recs.map((r, i) => JSON.stringify({ id: r.id, label: 0, score: scores[i] })).join("\n") + "\n");
      signalFree[b.key] = { ...falsePositiveRate(scores, threshold, job.level), scoresFile: path.basename(scoresFile) };
      note(`${b.key}: false-positive rate ${signalFree[b.key].rate.toFixed(4)}`);
    }
  } finally {
    clf.dispose();
  }
  return {
    arm: job.arm, seed: job.seed, runDir: trained.runDir, steps: trained.steps, selected: sel, tests,
    workingPoint: { efficiency: job.workingPointEfficiency, threshold, data: sel.data }, signalFree, seconds: (Date.now() - t0) / 1000,
  };
}
