/**
 * The training loop shared by the LLM and the MLP baseline.
 *
 * Each optimiser step: `gradAccum` micro-batches of `batchSize` records in a per-epoch shuffled
 * order (seed + epoch, so the order needs no saving), gradients summed and averaged, clipped to
 * a global norm, AdamW with warm-up + cosine. Every `checkpoint.everySteps` a checkpoint is
 * written atomically; every epoch (or `eval.everySteps`) the validation file is scored and the
 * metrics appended to `<run>/log.jsonl`, and the checkpoint the config's selection criterion
 * prefers on val is recorded in `<run>/selected.json` and spared from pruning (./selection.ts).
 * A run folder with checkpoints resumes from the newest one and repeats the uninterrupted run's
 * losses exactly (same order, same dropout seeds).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { EventRecord } from "../jets/record";
import { appendRunLog, evaluate, EvalLogEntry } from "../metrics";
import { Progress } from "../util/progress";
import { Rng } from "../util/rng";
import { writeFileAtomic } from "../util/atomic";
import { AdamW } from "./adamw";
import { optimiserStepAsync } from "./step";
import { onHost } from "../llm/kernels/read";
import { backendInfo, deviceLabel } from "../llm/kernels/backend";
import { balancedWeights, ClassWeights, labelOf, TrainableClassifier } from "./classifier";
import { checkpointDir, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint, TrainerState } from "./checkpoint";
import { improves, readSelection, Selection, SELECTED_FILE, writeSelection } from "./selection";
import type { TrainConfig } from "./config";
import { learningRate } from "./schedule";
import { checkTrainingFits } from "./memory-check";

export interface TrainData {
  train: EventRecord[];
  val?: EventRecord[];
}

export interface TrainResult {
  runDir: string;
  steps: number;
  /** Mean loss of each optimiser step, in order (including steps done before a resume, when known). */
  losses: number[];
  lastCheckpoint: string;
  /** The checkpoint chosen on val (absent without a validation set). */
  selected?: Selection;
}

/**
 * "1:1 @1000" style label of a labelled set: signal:background ratio @ size. `source` is the
 * set it was drawn from when it is a subset (its ratio names the set; rounding in a small
 * subset would otherwise turn 1:10 into 1:9).
 */
export function datasetLabel(recs: EventRecord[], source: EventRecord[] = recs): string {
  const s = source.filter((r) => r.type === "signal").length;
  const b = source.length - s;
  const ratio = s === 0 ? "0:1" : `1:${Math.round(b / s)}`;
  return `${ratio} @${recs.length}`;
}

/**
 * At most `max` records keeping the signal:background proportion (a plain prefix of a shuffled
 * file would turn a 1:10 set into 1:9 or 1:12), in file order.
 */
export function takeStratified(recs: EventRecord[], max?: number): EventRecord[] {
  if (!max || recs.length <= max) return recs;
  const sig = recs.filter((r) => r.type === "signal").length;
  let wantSig = Math.round((max * sig) / recs.length);
  let wantBkg = max - wantSig;
  return recs.filter((r) => (r.type === "signal" ? wantSig-- > 0 : wantBkg-- > 0));
}

/** Steps per epoch and in total for a config and a training-set size. */
export function plannedSteps(cfg: TrainConfig, nTrain: number): { perEpoch: number; total: number } {
  const perStep = cfg.schedule.batchSize * cfg.schedule.gradAccum;
  const perEpoch = Math.max(1, Math.floor(nTrain / perStep));
  const all = perEpoch * cfg.schedule.epochs;
  return { perEpoch, total: cfg.schedule.maxSteps ? Math.min(cfg.schedule.maxSteps, all) : all };
}

function epochOrder(n: number, seed: number, epoch: number): number[] {
  return new Rng(seed * 1009 + epoch).shuffle(Array.from({ length: n }, (_, i) => i));
}

/** Scores a labelled set, writes its scores file and appends the eval entry; returns it. */
export async function evaluateClassifier(
  clf: TrainableClassifier,
  recs: EventRecord[],
  where: { runDir: string; run: string; step: number; epoch: number; checkpoint: string; data: string; dataset?: string; model: string; batchSize: number; source?: EventRecord[] },
): Promise<EvalLogEntry> {
  clf.setTraining(false);
  const scores = await clf.score(recs, { batchSize: where.batchSize, progress: true });
  const labels = recs.map(labelOf);
  const metrics = evaluate(labels, scores, { bootstrap: 200, seed: 0 });
  const dataset = where.dataset ?? datasetLabel(recs, where.source);
  const scoresFile = path.join(where.runDir, `scores-${where.checkpoint}-${dataset.replace(/[^A-Za-z0-9]+/g, "_")}.jsonl`);
  writeFileAtomic(scoresFile, recs.map((r, i) => JSON.stringify({ id: r.id, label: labels[i], score: scores[i] })).join("\n") + "\n");
  const entry: EvalLogEntry = {
    kind: "eval",
    run: where.run,
    step: where.step,
    epoch: where.epoch,
    checkpoint: where.checkpoint,
    dataset,
    data: where.data,
    numericInput: clf.numericInput,
    model: where.model,
    metrics,
    scoresFile: path.basename(scoresFile),
    time: new Date().toISOString(),
  };
  appendRunLog(where.runDir, entry);
  return entry;
}

export interface TrainRunOptions {
  /** Stop (after checkpointing) once this many optimiser steps are done, as if interrupted; the schedule still spans the whole run. */
  stopAfterStep?: number;
}

/**
 * The training loss (same definition, dropout off) on up to `max` validation records (default 256:
 * the loss curves' second line; all of them when it is the selection criterion).
 */
export async function validationLoss(clf: TrainableClassifier, recs: EventRecord[], batchSize: number, classWeights?: ClassWeights, max = 256): Promise<number> {
  clf.setTraining(false);
  const sample = recs.slice(0, max);
  let sum = 0;
  for (let i = 0; i < sample.length; i += batchSize) {
    const batch = sample.slice(i, i + batchSize);
    const loss = tf.tidy(() => clf.loss(batch, { classWeights, seed: 0 }));
    sum += (await loss.data())[0] * batch.length;
    loss.dispose();
  }
  return sum / sample.length;
}

export async function train(cfg: TrainConfig, clf: TrainableClassifier, data: TrainData, modelName: string, run: TrainRunOptions = {}): Promise<TrainResult> {
  const runDir = path.join(cfg.outDir, cfg.run);
  fs.mkdirSync(runDir, { recursive: true });
  const trainRecs = cfg.data.maxTrain ? data.train.slice(0, cfg.data.maxTrain) : data.train;
  const valRecs = data.val && cfg.data.maxVal ? takeStratified(data.val, cfg.data.maxVal) : data.val;
  trainRecs.forEach(labelOf); // fail early on unlabelled records
  clf.fitInputs?.(trainRecs); // training events only; a resumed run's checkpoint restores the same state
  checkTrainingFits(cfg, clf, trainRecs); // the step's memory, before any of it is allocated
  const weights: ClassWeights | undefined =
    cfg.classWeights === "balanced" ? balancedWeights(trainRecs) : cfg.classWeights === null ? undefined : cfg.classWeights;
  const { perEpoch, total } = plannedSteps(cfg, trainRecs.length);
  const opt = new AdamW(clf.paramGroups({ weightDecay: cfg.optim.weightDecay, fusionLrScale: cfg.fusion.lrScale }), {
    beta1: cfg.optim.beta1,
    beta2: cfg.optim.beta2,
    eps: cfg.optim.eps,
  });
  const rng = new Rng(cfg.seed);
  let state: TrainerState = { step: 0, epoch: 0, offset: 0, rng: rng.getState() };
  const done = listCheckpoints(runDir);
  if (done.length > 0) {
    state = loadCheckpoint(checkpointDir(runDir, done[done.length - 1]), clf, opt);
    rng.setState(state.rng);
    console.error(`train: resuming ${cfg.run} from step ${state.step}`);
  } else {
    fs.rmSync(path.join(runDir, SELECTED_FILE), { force: true }); // a fresh run: an older choice is stale
  }
  let selected = done.length > 0 ? readSelection(runDir) : undefined;
  const protect = (): number[] => (selected ? [selected.step] : []);
  writeFileAtomic(path.join(runDir, "train_config.json"), JSON.stringify(cfg, null, 2) + "\n");
  // What this run computes on (the GPU's name on webgpu), beside its config.
  const info = backendInfo();
  writeFileAtomic(path.join(runDir, "device.json"), JSON.stringify({ device: deviceLabel(), backend: tf.getBackend(), reason: info?.reason, adapter: info?.adapter }, null, 2) + "\n");

  const schedule = { lr: cfg.optim.lr, warmupSteps: cfg.optim.warmupSteps, totalSteps: total, minRatio: cfg.optim.minLrRatio };
  const losses: number[] = [];
  const progress = new Progress({ label: `train ${cfg.run}`, total: total - state.step, unit: "steps" });
  let order = epochOrder(trainRecs.length, cfg.seed, state.epoch);
  let lastCkpt = done.length > 0 ? checkpointDir(runDir, done[done.length - 1]) : "";
  const evalAt = (step: number, epochEnded: boolean): boolean =>
    valRecs !== undefined && (cfg.eval.everySteps ? step % cfg.eval.everySteps === 0 : epochEnded);
  let windowTokens = 0;
  let windowStart = Date.now();
  let windowLoss = 0;
  let windowSteps = 0;

  const stopAt = Math.min(total, run.stopAfterStep ?? total);
  while (state.step < stopAt) {
    clf.setTraining(true);
    const micro: Array<() => tf.Scalar> = [];
    for (let k = 0; k < cfg.schedule.gradAccum; k++) {
      if (state.offset + cfg.schedule.batchSize > order.length) {
        state.epoch += 1;
        state.offset = 0;
        order = epochOrder(trainRecs.length, cfg.seed, state.epoch);
      }
      const batch = order.slice(state.offset, state.offset + cfg.schedule.batchSize).map((i) => trainRecs[i]);
      state.offset += cfg.schedule.batchSize;
      const seed = rng.nextUint32();
      micro.push(() => clf.loss(batch, { classWeights: weights, seed }));
      windowTokens += clf.batchSize(batch);
    }
    const lr = learningRate(schedule, state.step);
    const { loss } = await optimiserStepAsync(opt, micro, lr, cfg.optim.clipNorm); // async reads: webgpu has no dataSync
    losses.push(loss);
    state.step += 1;
    windowLoss += loss;
    windowSteps += 1;
    const epochEnded = state.step % perEpoch === 0;
    const tps = windowTokens / Math.max(1e-3, (Date.now() - windowStart) / 1000);
    progress.tick(1, `loss ${loss.toFixed(4)}, ${tps.toFixed(0)} tok/s, lr ${lr.toExponential(2)}`);
    if (state.step % cfg.schedule.logEverySteps === 0 || state.step === total) {
      appendRunLog(runDir, {
        kind: "train", run: cfg.run, step: state.step, epoch: state.epoch, loss: windowLoss / windowSteps, lr,
        tokensPerSecond: tps, device: deviceLabel(), time: new Date().toISOString(),
      });
      windowTokens = 0;
      windowLoss = 0;
      windowSteps = 0;
      windowStart = Date.now();
    }
    const wantEval = evalAt(state.step, epochEnded) || (state.step === total && valRecs !== undefined);
    const wantCkpt = state.step % cfg.checkpoint.everySteps === 0 || state.step === total || state.step === stopAt || wantEval;
    // kill -9 safety (test/crash): evaluate BEFORE saving the checkpoint it names. Saved first, a
    // kill between the two left a checkpoint whose evaluation a resume never ran; now a kill
    // before the save resumes from the previous checkpoint and redoes both (the rewrite is identical).
    if (wantCkpt) lastCkpt = checkpointDir(runDir, state.step);
    if (wantEval && valRecs) {
      const byLoss = cfg.selection.metric === "val_loss";
      const valLoss = await validationLoss(clf, valRecs, cfg.eval.batchSize, weights, byLoss ? valRecs.length : 256);
      appendRunLog(runDir, { kind: "val", run: cfg.run, step: state.step, epoch: state.epoch, loss: valLoss, time: new Date().toISOString() });
      const entry = await evaluateClassifier(clf, valRecs, {
        runDir, run: cfg.run, step: state.step, epoch: state.epoch, checkpoint: path.basename(lastCkpt),
        data: cfg.data.val ?? "", dataset: cfg.data.valName, model: modelName, batchSize: cfg.eval.batchSize, source: data.val,
      });
      const value = byLoss ? valLoss : entry.metrics.auc;
      if (improves(cfg.selection.metric, value, selected?.value)) {
        selected = {
          criterion: cfg.selection.metric, step: state.step, checkpoint: path.basename(lastCkpt), value,
          data: cfg.data.val ?? "", n: valRecs.length, time: new Date().toISOString(),
        };
        writeSelection(runDir, selected);
        pruneCheckpoints(runDir, cfg.checkpoint.keep, protect());
      }
      console.error(`eval ${entry.checkpoint} on ${entry.dataset}: accuracy ${entry.metrics.accuracy.toFixed(3)}, AUC ${entry.metrics.auc.toFixed(3)}; selected ${selected?.checkpoint ?? "none"} by ${cfg.selection.metric}`);
    }
    if (wantCkpt) {
      state.rng = rng.getState();
      lastCkpt = await onHost(() => saveCheckpoint(runDir, clf, opt, state, cfg, cfg.checkpoint.keep, protect())); // webgpu: reads on the host
    }
  }
  progress.finish();
  opt.dispose();
  return { runDir, steps: state.step, losses, lastCheckpoint: lastCkpt, selected };
}
