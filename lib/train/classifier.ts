/**
 * What the training loop trains: an event classifier with trainable variables, a loss on a
 * micro-batch of records and a P(signal) score. The LLM (LoRA + fusion adapter) and the MLP
 * baseline both implement it, so both go through the same loop, checkpoints, evaluation and
 * logs — a difference in the results table is a difference of models, not of code paths.
 */
import type * as tf from "@tensorflow/tfjs";
import type { EventRecord } from "../jets/record";
import type { ParamGroup } from "./adamw";

/** Per-class loss weights (e.g. inverse frequencies for a 1:10 set). */
export interface ClassWeights {
  signal: number;
  background: number;
}

export interface LossOptions {
  /** Class weights for the loss (1, 1 when absent). */
  classWeights?: ClassWeights;
  /** Seed for this micro-batch's dropout masks, drawn from the trainer's saved RNG so a resumed run repeats them. */
  seed: number;
}

export interface TrainableClassifier {
  /** "llm" or "mlp": recorded in logs. */
  readonly kind: string;
  /** How numbers enter the model, for the results table ("first-token", "token", "off", "MLP baseline"). */
  readonly numericInput: string;
  /** Fits what the inputs' encoding learns from data (e.g. quantile bins) on the training events, before training; optional. */
  fitInputs?(train: EventRecord[]): void;
  /** Optimiser parameter groups; `lr`-independent settings come from the training config. */
  paramGroups(opts: { weightDecay: number; fusionLrScale: number }): ParamGroup[];
  /** Mean (class-weighted) loss of a micro-batch; called inside tf.variableGrads. */
  loss(batch: EventRecord[], opts: LossOptions): tf.Scalar;
  /** Tokens a micro-batch feeds through the model (for tokens/s); records for the MLP. */
  batchSize(batch: EventRecord[]): number;
  /** P(signal) for each record. */
  score(records: EventRecord[], opts?: { batchSize?: number; progress?: boolean }): Promise<number[]>;
  /** Dropout on or off. */
  setTraining(on: boolean): void;
  /** Writes the trainable weights (and their configs) into a folder. */
  save(dir: string): void;
  /** Reads weights written by save. */
  load(dir: string): void;
  dispose(): void;
}

/** "balanced" weights n / (2 n_class), as sklearn's class_weight="balanced". */
export function balancedWeights(records: EventRecord[]): ClassWeights {
  const nSig = records.filter((r) => r.type === "signal").length;
  const nBkg = records.filter((r) => r.type === "background").length;
  const n = nSig + nBkg;
  if (nSig === 0 || nBkg === 0) throw new Error(`balanced class weights need both classes (signal ${nSig}, background ${nBkg})`);
  return { signal: n / (2 * nSig), background: n / (2 * nBkg) };
}

/** 1 for signal, 0 for background; an error naming the record otherwise. */
export function labelOf(r: EventRecord): 0 | 1 {
  if (r.type === "signal") return 1;
  if (r.type === "background") return 0;
  throw new Error(`record id ${r.id} has type "${r.type}": training and evaluation need labelled events`);
}
