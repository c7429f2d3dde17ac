/**
 * The study's recipe: every choice that decides a number in the study, as typed data with its
 * reason. `hepllm study`, `hepllm demo` and notebooks 03–05 all read it from here (QUICK_RECIPE for
 * `--quick` and HEPLLM_QUICK=1), so the same data and seed give the same numbers everywhere.
 */
import type { ModelConfig } from "../llm";
import type { PromptOptions } from "../prompts";
import type { SelectionMetric } from "../train/config";

export interface StudyRecipe {
  /** Training seeds of every arm: each arm is trained once per seed, results are mean ± std over them. */
  seeds: number[];
  /** Architecture of the base model the study pre-trains when no `--model` is given. */
  baseModel: Omit<ModelConfig, "vocabSize">;
  /** Vocabulary of the BPE tokenizer trained on the training records' prompts. */
  vocabSize: number;
  /** Pre-training of that base model on prompt text (no labels). */
  pretrain: { steps: number; batchSize: number; lr: number; prompt: Partial<PromptOptions> };
  /** Fine-tuning of the two LLM arms (the same for both: the arms differ only in what they see). */
  llm: {
    /** Training events used (a stratified subset of the training file; 0 = all). */
    trainEvents: number;
    epochs: number;
    batchSize: number;
    lr: number;
    warmupSteps: number;
    /** LoRA rank, scale and the projections it adapts. */
    lora: { r: number; alpha: number; dropout: number; targets: string[] };
    /** "linear": a two-class head on the last prompt position, one forward pass per event. */
    head: "lm" | "linear";
    /** Learning-rate multiplier of the fusion adapter (it starts from nothing). */
    fusionLrScale: number;
    /** Records per scoring batch. */
    evalBatchSize: number;
  };
  /** The MLP baseline on the fusion vector, by the same loop. */
  mlp: { hidden: number[]; dropout: number; epochs: number; batchSize: number; lr: number };
  /** How each run picks its checkpoint, on val only. */
  selection: SelectionMetric;
  /** Checkpoint cadence and how many of the newest to keep (the selected one is always kept). */
  checkpoint: { everySteps: number; keep: number };
  /** What each arm's prompt prints: the text-only arm carries the fusion vector's numbers as text. */
  prompts: { fusion: Partial<PromptOptions>; text: Partial<PromptOptions> };
  /** Signal efficiency on val that fixes the working point of the signal-free check. */
  workingPointEfficiency: number;
  /** Bootstrap resamples and confidence level of every interval (metrics and paired differences). */
  bootstrap: { resamples: number; level: number };
}

/** LoRA on every projection: attention must route the numbers to the last position, the MLPs help read them. */
const ALL_PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

export const STUDY_RECIPE: StudyRecipe = {
  seeds: [1, 2, 3], // the minimum for a standard deviation that means something
  baseModel: {
    modelType: "mistral",
    hiddenSize: 64, // fusion vectors and LoRA live here; 64 scores ~350 events/s per core (128×3: ~60)
    intermediateSize: 172, // ≈ 8/3 · hidden, the SwiGLU convention
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2, // grouped-query attention as in Mistral
    headDim: 16,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    slidingWindow: 128, // prompts are ~100 tokens: the window rarely bites but is exercised
    tieWordEmbeddings: false,
    maxPositionEmbeddings: 512,
    bosTokenId: 1,
    eosTokenId: 2,
  },
  vocabSize: 1024, // the format's words fit with room to spare; digits stay single tokens
  pretrain: { steps: 150, batchSize: 8, lr: 5e-3, prompt: { nsubjettiness: true } }, // both arms' text, taus included
  llm: {
    trainEvents: 1200, // bounds the run time; the MLP takes the whole training file
    epochs: 3, // val AUC still rises at the third epoch; a fourth costs ~10 s per run
    batchSize: 16, // 1.7× the events/s of batch 8 on the wasm backend (small GEMMs are overhead-bound)
    lr: 4e-3, // text-only arm: val AUC 0.886 against 0.823 at 2e-3 (demo data, seed 1)
    warmupSteps: 10,
    lora: { r: 8, alpha: 16, dropout: 0.05, targets: ALL_PROJECTIONS },
    head: "linear", // one forward pass per event: scoring the test sets is the study's largest cost
    fusionLrScale: 1, // the adapter at the LoRA rate: val AUC 0.918; 5× gave 0.740, 20× 0.835 (lr 4e-3, seed 1)
    evalBatchSize: 16, // events per scoring pass at most (the batched scorer also caps a pass at 4096 tokens)
  },
  mlp: { hidden: [64, 64], dropout: 0.1, epochs: 8, batchSize: 32, lr: 3e-3 },
  selection: "val_auc", // the study's headline metric, on val
  checkpoint: { everySteps: 1000, keep: 1 }, // evaluations happen per epoch; disk stays small
  prompts: { fusion: {}, text: { nsubjettiness: true } },
  workingPointEfficiency: 0.3, // the εS of the headline rejection 1/εB
  bootstrap: { resamples: 500, level: 0.95 },
};

/** The one-minute smoke run: the same recipe, smaller everywhere. */
export const QUICK_RECIPE: StudyRecipe = {
  ...STUDY_RECIPE,
  pretrain: { ...STUDY_RECIPE.pretrain, steps: 10 },
  llm: { ...STUDY_RECIPE.llm, trainEvents: 48, epochs: 1 },
  mlp: { ...STUDY_RECIPE.mlp, epochs: 2 },
  bootstrap: { resamples: 100, level: 0.95 },
};

/** The recipe of a run mode (`--quick`, HEPLLM_QUICK=1). */
export function recipeFor(quick: boolean): StudyRecipe {
  return quick ? QUICK_RECIPE : STUDY_RECIPE;
}
