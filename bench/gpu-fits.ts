/**
 * `npm run bench:gpu -- --fits`: what fits on 8, 24 and 80 GB GPUs, from the training-step memory
 * plan (lib/llm/model/training-memory.ts; no GPU needed): per model shape, the frozen weights in
 * 16 bits and in float32, the activations of one 128-token sequence, and the largest micro-batch
 * of 128-token sequences whose step fits in 90% of each memory size (16-bit weights recompute
 * layers in the backward, as loadModel sets up low-memory models) — for LoRA on q/k/v/o (the
 * training config's default) and on all seven projections (the study's recipe), dropout 0.05,
 * with the fusion adapter, "lm" head.
 */
import { LoraTarget } from "../lib/llm";
import { ModelConfig } from "../lib/llm/model/config";
import { countParameters, formatCount, gb } from "../lib/llm/model/memory-plan";
import { DEVICE_SHARE, trainingMemory, TrainingShape, WeightStorage } from "../lib/llm/model/training-memory";
import { featureSize } from "../lib/llm/adapters/fusion/features";
import { STUDY_RECIPE } from "../lib/study/recipe";

const base = { ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: false, maxPositionEmbeddings: 4096, slidingWindow: null };
/** Shapes from each model's config.json. */
export const FIT_MODELS: Record<string, ModelConfig> = {
  "demo (hepllm's base model)": { ...STUDY_RECIPE.baseModel, vocabSize: STUDY_RECIPE.vocabSize },
  "TinyLlama-1.1B": { ...base, modelType: "llama", vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, numLayers: 22, numHeads: 32, numKvHeads: 4, headDim: 64 },
  "Mistral-7B-v0.3": { ...base, modelType: "mistral", vocabSize: 32768, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128, ropeTheta: 1e6 },
  "Llama-3-8B": { ...base, modelType: "llama", vocabSize: 128256, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128, ropeTheta: 5e5 },
};

const QKVO: LoraTarget[] = ["q_proj", "k_proj", "v_proj", "o_proj"];
const ALL: LoraTarget[] = [...QKVO, "gate_proj", "up_proj", "down_proj"];
const SEQ = 128;
const GPUS = [8, 24, 80];

function shape(batch: number, targets: LoraTarget[]): TrainingShape {
  return { batch, seqLen: SEQ, head: "lm", lora: { r: 8, targets, dropout: 0.05 }, fusionInputs: featureSize(2) };
}

/** The largest batch (≤ 4096) whose step fits `bytes`·DEVICE_SHARE; 0 when not even one sequence does. */
function maxBatch(cfg: ModelConfig, targets: LoraTarget[], storage: WeightStorage, bytes: number): number {
  let lo = 0;
  let hi = 4096;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (trainingMemory(cfg, shape(mid, targets), storage).total <= DEVICE_SHARE * bytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The Markdown table. */
export function fitsTable(): string[] {
  const out = [
    `| model | parameters | frozen weights f16 (f32 W+Wᵀ) | activations per ${SEQ}-token sequence with f16 (layers recomputed), q/k/v/o (all 7) | largest batch of ${SEQ}-token sequences on ${GPUS.map((g) => `${g} GB`).join(" / ")}: f16, q/k/v/o | same, all 7 projections | f32 W+Wᵀ, q/k/v/o |`,
    "|---|---|---|---|---|---|---|",
  ];
  for (const [name, cfg] of Object.entries(FIT_MODELS)) {
    const one = (t: LoraTarget[], s: WeightStorage) => trainingMemory(cfg, shape(1, t), s);
    const fits = (t: LoraTarget[], s: WeightStorage) => GPUS.map((g) => maxBatch(cfg, t, s, g * 1e9)).map((b) => (b === 0 ? "—" : b === 4096 ? "4096+" : String(b))).join(" / ");
    out.push(
      `| ${name} | ${formatCount(countParameters(cfg).total)} | ${gb(one(QKVO, "f16").weights)} (${gb(one(QKVO, "f32-transposed").weights)}) | ` +
        `${gb(one(QKVO, "f16").activations)} (${gb(one(ALL, "f16").activations)}) | ${fits(QKVO, "f16")} | ${fits(ALL, "f16")} | ${fits(QKVO, "f32-transposed")} |`,
    );
  }
  return out;
}
