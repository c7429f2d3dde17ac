/**
 * The study's base model when the user brings none: a BPE tokenizer trained on the training
 * records' prompts and a small Mistral-architecture decoder pre-trained on their text (never on
 * the labels: the fine-tuning stage alone sees the answers). `hepllm study` and the demo call this.
 */
import * as path from "node:path";
import type { EventRecord } from "../jets/record";
import { initBackend, saveModel } from "../llm";
import { trainPromptTokenizer } from "../prompts";
import { saveTokenizer } from "../tokenizer";
import { DEFAULT_PRETRAIN, initBaseModel, pretrainAsync } from "../train/pretrain";
import { onHost } from "../llm/kernels/read";
import type { StudyRecipe } from "./recipe";

export interface BaseModelResult {
  /** The model folder (config.json, model.safetensors, tokenizer.json). */
  dir: string;
  vocabSize: number;
  steps: number;
  /** Mean prompt loss of the first and the last five pre-training steps. */
  lossFirst: number;
  lossLast: number;
}

/** Trains the tokenizer and pre-trains the base model into `<outDir>/base-model` (tokenizer in `<outDir>/tokenizer`). */
export async function makeBaseModel(records: EventRecord[], outDir: string, recipe: StudyRecipe, seed: number): Promise<BaseModelResult> {
  await initBackend();
  const tok = trainPromptTokenizer({ vocabSize: recipe.vocabSize, records, seed });
  const tokDir = path.join(outDir, "tokenizer");
  saveTokenizer(tok, tokDir);
  const model = initBaseModel({ ...recipe.baseModel, vocabSize: tok.vocabSize }, seed);
  const p = recipe.pretrain;
  const losses = await pretrainAsync(model, tok, records, { ...DEFAULT_PRETRAIN, steps: p.steps, batchSize: p.batchSize, lr: p.lr, prompt: p.prompt, seed });
  const dir = path.join(outDir, "base-model");
  await onHost(() => saveModel(model, dir, tokDir), [model]); // webgpu: the weights are read on the host first
  model.dispose();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { dir, vocabSize: tok.vocabSize, steps: p.steps, lossFirst: mean(losses.slice(0, 5)), lossLast: mean(losses.slice(-5)) };
}
