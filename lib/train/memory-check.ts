/**
 * Before an LLM training run: one line with the memory a step will need (weights, activations,
 * LoRA/fusion with AdamW, working set) on the device it will run on, and a clear error when it
 * can't fit (lib/llm/model/training-memory.ts), instead of a crash mid-step.
 */
import type { EventRecord } from "../jets/record";
import { backendKernels } from "../llm/kernels/kernels";
import { deviceLimits } from "../llm/kernels/device-limits";
import { checkTrainingMemory, describeTrainingMemory, DeviceLimits, trainingMemory, TrainingShape, WeightStorage } from "../llm/model/training-memory";
import type { TrainableClassifier } from "./classifier";
import type { TrainConfig } from "./config";
import { LlmClassifier } from "./llm-classifier";

/** Prints the step's memory and throws when it can't fit the device (the current backend's by default); nothing for the MLP baseline. */
export function checkTrainingFits(cfg: TrainConfig, clf: TrainableClassifier, train: EventRecord[], log: (line: string) => void = (l) => console.error(l), device: DeviceLimits = deviceLimits()): void {
  if (!(clf instanceof LlmClassifier) || cfg.model.kind !== "llm" || train.length === 0) return;
  // The longest record sets the padded length of its micro-batch (prompt + answer tokens).
  let seqLen = 0;
  for (const r of train) seqLen = Math.max(seqLen, clf.batchSize([r]));
  const shape: TrainingShape = {
    batch: Math.min(cfg.schedule.batchSize, train.length),
    seqLen,
    head: cfg.head,
    lora: { r: cfg.lora.r, targets: cfg.lora.targets, dropout: cfg.lora.dropout },
    fusionInputs: clf.fusion ? clf.encoder.outputSize : undefined,
    recomputeLayers: (clf.model as { recomputeLayers?: boolean }).recomputeLayers, // the Decoder's setting (loadModel: on for low-memory)
  };
  const storage: WeightStorage = cfg.model.lowMemory ? (backendKernels().halfWeight ? "f16" : "bf16-host") : "f32-transposed";
  const mem = trainingMemory(clf.model.config, shape, storage);
  log(describeTrainingMemory(mem, shape, device));
  checkTrainingMemory(mem, shape, device);
}
