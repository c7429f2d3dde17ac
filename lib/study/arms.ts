/**
 * The study's arms — the fusion LLM, the text-only LLM and the MLP baseline — and the training
 * config of one arm and seed, built from the recipe. The arms differ only in what they see:
 * - llm-fusion: the prompt text and the fusion vector through the adapter (`<JET_FEATURES>` token);
 * - llm-text: the prompt text only, with τ21/τ32 printed so it carries the vector's numbers;
 * - mlp: the fusion vector only.
 */
import { describePromptFields } from "../prompts";
import { featureNames } from "../llm/adapters/fusion/features";
import { resolveTrainConfig, TrainConfig } from "../train/config";
import type { StudyRecipe } from "./recipe";

export const ARMS = ["llm-fusion", "llm-text", "mlp"] as const;
export type Arm = (typeof ARMS)[number];

/** Maximum jets per event in prompts and feature vectors (as prepare's default --max-jets). */
export const MAX_JETS = 2;

/** Files a run trains and selects on. */
export interface ArmData {
  train: string;
  val: string;
}

/** Run folder name of an arm and seed, e.g. "llm-fusion-seed2". */
export function runName(arm: Arm, seed: number): string {
  return `${arm}-seed${seed}`;
}

/** The resolved training config of one arm and seed. */
export function armConfig(recipe: StudyRecipe, arm: Arm, seed: number, data: ArmData, baseModel: string, runsDir: string): TrainConfig {
  const common = {
    run: runName(arm, seed),
    outDir: runsDir,
    checkpoint: recipe.checkpoint,
    selection: { metric: recipe.selection },
    seed,
  };
  if (arm === "mlp") {
    const m = recipe.mlp;
    return resolveTrainConfig({
      ...common,
      model: { kind: "mlp", hidden: m.hidden, dropout: m.dropout },
      data: { train: data.train, val: data.val, maxJets: MAX_JETS },
      optim: { lr: m.lr, warmupSteps: 10 },
      schedule: { epochs: m.epochs, batchSize: m.batchSize, gradAccum: 1, logEverySteps: 10 },
    });
  }
  const l = recipe.llm;
  const fusion = arm === "llm-fusion";
  return resolveTrainConfig({
    ...common,
    model: { kind: "llm", path: baseModel },
    data: { train: data.train, val: data.val, maxJets: MAX_JETS, ...(l.trainEvents > 0 ? { maxTrain: l.trainEvents } : {}) },
    prompt: fusion ? recipe.prompts.fusion : recipe.prompts.text,
    lora: l.lora,
    fusion: fusion ? { mode: "token", dropout: 0.1, lrScale: l.fusionLrScale } : { mode: "off" },
    head: l.head,
    optim: { lr: l.lr, warmupSteps: l.warmupSteps },
    schedule: { epochs: l.epochs, batchSize: l.batchSize, gradAccum: 1, logEverySteps: 10 },
    eval: { everySteps: null, batchSize: l.evalBatchSize },
  });
}

/** What an arm saw: the numbers printed in its prompt and the entries of its numeric vector. */
export function armInputs(recipe: StudyRecipe, arm: Arm): { text: string[]; vector: string[] } {
  const vector = featureNames(MAX_JETS);
  if (arm === "mlp") return { text: [], vector };
  if (arm === "llm-text") return { text: describePromptFields(recipe.prompts.text), vector: [] };
  return { text: describePromptFields(recipe.prompts.fusion), vector };
}
