/**
 * The training configuration: plain JSON (`hepllm train --config run.json`), validated against
 * train-config.schema.json before anything runs, defaults filled in here. Every field says why
 * it exists.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import type { FusionMode } from "../llm/adapters/fusion/adapter";
import type { HeadKind } from "./llm-classifier";
import type { NumericEncoderConfig } from "../llm/adapters/fusion/encoder";

/** Checkpoint-selection criteria, computed on the validation set. */
export type SelectionMetric = "val_loss" | "val_auc";

export interface TrainConfig {
  /** Run name: output goes to `<outDir>/<run>/`. */
  run: string;
  /** Folder holding the runs. */
  outDir: string;
  /** What is trained: the LLM with LoRA (+ fusion), or the MLP baseline on the same features. */
  model:
    | { kind: "llm"; path: string; lowMemory?: boolean }
    | { kind: "mlp"; hidden: number[]; dropout: number };
  data: {
    /** Training JSONL (lib/dataset records). */
    train: string;
    /** Validation JSONL evaluated every epoch (or evalEverySteps). */
    val?: string;
    /** Dataset label for the results table, e.g. "1:1 @1000" (derived from the file when absent). */
    valName?: string;
    /** Use only the first N training records (quick runs). */
    maxTrain?: number;
    /** Evaluate on only the first N validation records (quick runs). */
    maxVal?: number;
    /** Kept jets per event in prompts and features (as prepare's --max-jets). */
    maxJets: number;
  };
  /** Prompt options (lib/prompts PromptOptions), partial; defaults are the study's format. */
  prompt: Record<string, unknown>;
  /** LoRA on the LLM's projections (ignored for the MLP). */
  lora: { r: number; alpha: number; dropout: number; targets: string[]; rslora: boolean };
  /** The numeric fusion adapter (ignored for the MLP): mode, dropout, its own learning-rate multiplier. */
  fusion: { mode: FusionMode; dropout: number; lrScale: number };
  /** How the LLM's decision is read (ignored for the MLP): "lm" = label likelihood of the answer tokens; "linear" = a two-class head on the last prompt position's hidden state (one forward pass per event, faster). */
  head: HeadKind;
  /** How the feature vector is encoded before the fusion adapter and the MLP baseline alike: "scaled" (as is) or "ple" (+ piecewise-linear encoding on `bins` quantile bins fitted on the training events). */
  numeric: NumericEncoderConfig;
  optim: {
    /** Peak learning rate. */
    lr: number;
    /** Decoupled weight decay (not on biases or norms). */
    weightDecay: number;
    beta1: number;
    beta2: number;
    eps: number;
    /** Linear warm-up steps. */
    warmupSteps: number;
    /** Cosine floor as a fraction of lr. */
    minLrRatio: number;
    /** Global gradient-norm clip (0 = off). */
    clipNorm: number;
  };
  schedule: {
    epochs: number;
    /** Records per micro-batch. */
    batchSize: number;
    /** Micro-batches per optimiser step (effective batch = batchSize × gradAccum). */
    gradAccum: number;
    /** Stop after this many optimiser steps even mid-epoch (null = run all epochs). */
    maxSteps: number | null;
    /** Log a train line every N steps. */
    logEverySteps: number;
  };
  /** Loss weights per class: null = equal, "balanced" = inverse frequency, or explicit. */
  classWeights: null | "balanced" | { signal: number; background: number };
  checkpoint: {
    /** Save every N optimiser steps (and at the end). */
    everySteps: number;
    /** Keep only the newest N checkpoints (0 = keep all). */
    keep: number;
  };
  /**
   * How the run picks its checkpoint, on the validation set only (never on a test set): "val_auc" =
   * highest ROC AUC on val, "val_loss" = lowest training loss on val. The choice goes to
   * `<run>/selected.json`, that checkpoint is never pruned, and `hepllm eval` uses it by default.
   */
  selection: { metric: SelectionMetric };
  eval: {
    /** Evaluate every N steps; null = at the end of each epoch. */
    everySteps: number | null;
    /** Records per scoring batch. */
    batchSize: number;
  };
  /** Seed for initialisation, shuffling and dropout. */
  seed: number;
}

export const DEFAULT_TRAIN: Omit<TrainConfig, "run" | "model" | "data"> & { data: Partial<TrainConfig["data"]> } = {
  outDir: "checkpoints",
  data: { maxJets: 2 },
  prompt: {},
  lora: { r: 8, alpha: 16, dropout: 0.05, targets: ["q_proj", "k_proj", "v_proj", "o_proj"], rslora: false },
  fusion: { mode: "token", dropout: 0.1, lrScale: 5 },
  head: "lm",
  numeric: { encoding: "scaled", bins: 16 },
  optim: { lr: 2e-4, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, warmupSteps: 10, minLrRatio: 0.1, clipNorm: 1.0 },
  schedule: { epochs: 1, batchSize: 8, gradAccum: 1, maxSteps: null, logEverySteps: 10 },
  classWeights: null,
  checkpoint: { everySteps: 100, keep: 3 },
  selection: { metric: "val_auc" },
  eval: { everySteps: null, batchSize: 16 },
  seed: 0,
};

const SCHEMA_FILE = path.join(__dirname, "train-config.schema.json");

let compiled: ValidateFunction | undefined;
/**
 * The schema, compiled once per process. Sizes that become allocations (MLP widths, LoRA rank,
 * batch sizes) have generous maxima there, so that a config claiming 1e12 is an error, not an
 * attempt to allocate it. Compiling takes ~10 ms; configs are validated often in tests and fuzzing.
 */
function schemaValidator(): ValidateFunction {
  if (!compiled) compiled = new Ajv({ allErrors: true, useDefaults: false }).compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")));
  return compiled;
}

/** Validates a parsed config (errors name the file and the field) and fills in defaults. */
export function resolveTrainConfig(raw: unknown, file = "<config>"): TrainConfig {
  const validate = schemaValidator();
  if (!validate(raw)) {
    const msg = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new Error(`${file}: invalid training config: ${msg}`);
  }
  const r = raw as Partial<TrainConfig> & Pick<TrainConfig, "run" | "model" | "data">;
  const d = DEFAULT_TRAIN;
  return {
    run: r.run,
    outDir: r.outDir ?? d.outDir,
    model: r.model,
    data: { ...d.data, ...r.data } as TrainConfig["data"],
    prompt: { ...d.prompt, ...r.prompt },
    lora: { ...d.lora, ...r.lora },
    fusion: { ...d.fusion, ...r.fusion },
    head: r.head ?? d.head,
    numeric: { ...d.numeric, ...r.numeric },
    optim: { ...d.optim, ...r.optim },
    schedule: { ...d.schedule, ...r.schedule },
    classWeights: r.classWeights === undefined ? d.classWeights : r.classWeights,
    checkpoint: { ...d.checkpoint, ...r.checkpoint },
    selection: { ...d.selection, ...r.selection },
    eval: { ...d.eval, ...r.eval },
    seed: r.seed ?? d.seed,
  };
}

/** Reads and resolves a config file. */
export function readTrainConfig(file: string): TrainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read training config: ${(err as Error).message}`);
  }
  return resolveTrainConfig(raw, file);
}
