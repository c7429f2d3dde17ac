/**
 * Named model shapes for experiments, tests and benchmarks (random initialisation; vocabulary of
 * the Mistral v3 tokenizer unless noted).
 */
import { ModelConfig } from "./config";

const base = { modelType: "mistral" as const, ropeTheta: 1_000_000, rmsNormEps: 1e-5, tieWordEmbeddings: false, maxPositionEmbeddings: 4096, bosTokenId: 1, eosTokenId: 2 };

export const PRESETS: Record<string, ModelConfig> = {
  /** Test-sized: runs in milliseconds. */
  tiny: { ...base, vocabSize: 512, hiddenSize: 64, intermediateSize: 172, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, slidingWindow: null },
  /** Benchmark/notebook-sized: trains on a CPU in minutes, with the full 32768-token vocabulary. */
  small: { ...base, vocabSize: 32768, hiddenSize: 256, intermediateSize: 688, numLayers: 4, numHeads: 8, numKvHeads: 4, headDim: 32, slidingWindow: 4096 },
  /** Mistral-7B-v0.3's shape (for reference and low-memory loading; far beyond this machine). */
  "mistral-7b": { ...base, vocabSize: 32768, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128, slidingWindow: null, maxPositionEmbeddings: 32768 },
};
