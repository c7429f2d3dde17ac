/**
 * Checkpoints: `checkpoints/<run>/checkpoint-<step>/` holding everything needed to resume
 * bit-for-bit — the classifier's trainable weights (LoRA adapter in PEFT layout + fusion adapter,
 * or the MLP), the optimiser moments, the trainer's RNG state, the data position and the config.
 * A checkpoint folder is built beside its final name and renamed into place, so a crash never
 * leaves a half-written one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { removeDirAtomic, writeDirAtomic, writeFileAtomic } from "../util/atomic";
import type { AdamW } from "./adamw";
import type { TrainableClassifier } from "./classifier";
import { readTensorFile, writeTensorFile } from "./tensor-file";

/** Where the trainer stands: enough to continue exactly. */
export interface TrainerState {
  /** Optimiser steps done. */
  step: number;
  /** Epoch of the next micro-batch. */
  epoch: number;
  /** Index into that epoch's shuffled order of the next micro-batch. */
  offset: number;
  /** Trainer RNG state (dropout seeds), from Rng.getState(). */
  rng: number[];
}

export const CHECKPOINT_PREFIX = "checkpoint-";

export function checkpointDir(runDir: string, step: number): string {
  return path.join(runDir, `${CHECKPOINT_PREFIX}${step}`);
}

/** Steps of the complete checkpoints in a run folder, ascending. */
export function listCheckpoints(runDir: string): number[] {
  if (!fs.existsSync(runDir)) return [];
  return fs
    .readdirSync(runDir)
    .filter((d) => d.startsWith(CHECKPOINT_PREFIX) && /^\d+$/.test(d.slice(CHECKPOINT_PREFIX.length)))
    .filter((d) => fs.existsSync(path.join(runDir, d, "trainer_state.json")))
    .map((d) => Number(d.slice(CHECKPOINT_PREFIX.length)))
    .sort((a, b) => a - b);
}

/**
 * Writes `checkpoint-<step>/` and prunes to the newest `keep` (0 = keep all); steps in `protect`
 * (the run's selected checkpoint) are never pruned and do not count towards `keep`.
 */
export function saveCheckpoint(runDir: string, clf: TrainableClassifier, opt: AdamW, state: TrainerState, config: unknown, keep: number, protect: number[] = []): string {
  const dir = checkpointDir(runDir, state.step);
  writeDirAtomic(dir, (tmp) => {
    clf.save(tmp);
    const o = opt.getState();
    writeTensorFile(path.join(tmp, "optimizer.safetensors"), o.tensors, { step: String(o.step) });
    writeFileAtomic(path.join(tmp, "trainer_state.json"), JSON.stringify(state) + "\n");
    writeFileAtomic(path.join(tmp, "train_config.json"), JSON.stringify(config, null, 2) + "\n");
  });
  pruneCheckpoints(runDir, keep, protect);
  return dir;
}

/** Removes all but the newest `keep` checkpoints (0 = none removed), sparing the steps in `protect`. */
export function pruneCheckpoints(runDir: string, keep: number, protect: number[] = []): void {
  if (keep <= 0) return;
  const steps = listCheckpoints(runDir).filter((s) => !protect.includes(s));
  // Renamed away before deletion: a kill mid-delete must not leave a half-deleted checkpoint under its name.
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) removeDirAtomic(checkpointDir(runDir, s));
}

/** Loads weights and optimiser state into `clf`/`opt`; returns the trainer state. */
export function loadCheckpoint(dir: string, clf: TrainableClassifier, opt?: AdamW): TrainerState {
  const stateFile = path.join(dir, "trainer_state.json");
  if (!fs.existsSync(stateFile)) throw new Error(`${dir}: not a complete checkpoint (trainer_state.json missing)`);
  clf.load(dir);
  if (opt) {
    const { tensors, metadata } = readTensorFile(path.join(dir, "optimizer.safetensors"));
    opt.setState({ step: Number(metadata.step ?? 0), tensors });
  }
  return JSON.parse(fs.readFileSync(stateFile, "utf8")) as TrainerState;
}
