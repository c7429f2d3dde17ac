/**
 * A tiny random Mistral (hidden 32, 2 layers) with a small trained BPE tokenizer, saved to a temp
 * folder for serving; the same shape as the one in local-engine.test.ts, with a chosen context length.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initModel, saveModel } from "../../lib/llm";
import type { ModelConfig } from "../../lib/llm";
import { saveTokenizer, trainTokenizer } from "../../lib/tokenizer";
import type { HfTokenizer } from "../../lib/tokenizer";

const CORPUS = [
  "[INST] Classify this event as 'signal' or 'background'. M_jj=3500.2 GeV, jet1 m=500.1 tau21=0.21 [/INST] signal",
  "background. Because both jets are light and the dijet mass is generic.",
  "The quick brown fox jumps over the lazy dog; hello world, event, jets, mass.",
];

let tokCache: HfTokenizer | undefined;
export const tinyTokenizer = () => (tokCache ??= trainTokenizer(Array(20).fill(CORPUS).flat(), { vocabSize: 420 }));

export function tinyConfig(vocabSize: number, context: number): ModelConfig {
  return {
    modelType: "mistral", vocabSize, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8,
    ropeTheta: 10000, rmsNormEps: 1e-6, slidingWindow: null, tieWordEmbeddings: false, maxPositionEmbeddings: context, bosTokenId: 1, eosTokenId: 2,
  };
}

/** Saves the model (weights seeded by `seed`) and tokenizer; returns the folder and a cleanup. */
export function makeTinyModelDir(context = 256, seed = 7): { modelDir: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-serve-load-"));
  const tokDir = path.join(root, "tok");
  const modelDir = path.join(root, "tiny");
  const tok = tinyTokenizer();
  saveTokenizer(tok, tokDir);
  const model = initModel(tinyConfig(tok.vocabSize, context), seed);
  saveModel(model, modelDir, tokDir);
  model.dispose?.();
  return { modelDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
