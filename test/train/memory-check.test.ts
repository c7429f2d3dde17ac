/**
 * `hepllm train`'s pre-training memory line: printed once for an LLM run with the step's shape
 * (the longest record's tokens, the config's batch, LoRA and fusion), and a refusal naming the
 * numbers when the device can't hold the step; silent for the MLP baseline.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { useWasm } from "../support/backend";
import { initModel, PRESETS } from "../../lib/llm";
import { trainPromptTokenizer, syntheticRecords } from "../../lib/prompts";
import { LlmClassifier } from "../../lib/train/llm-classifier";
import { resolveTrainConfig } from "../../lib/train/config";
import { checkTrainingFits } from "../../lib/train/memory-check";
import { activationValuesPerTokenLayer } from "../../lib/llm/model/training-memory";
import { deviceLimits, gpuMemoryFromEnv } from "../../lib/llm/kernels/device-limits";

before(useWasm);

const tok = trainPromptTokenizer({ vocabSize: 512, seed: 1 });
const recs = [...syntheticRecords(6, 5)];
const modelCfg = { ...PRESETS.tiny, vocabSize: tok.vocabSize, numLayers: 2, slidingWindow: 64 };
const cfg = resolveTrainConfig({
  run: "mem", model: { kind: "llm", path: "unused" }, data: { train: "unused", maxJets: 2 },
  lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj"] }, fusion: { mode: "token" }, schedule: { batchSize: 4 },
});

test("an LLM run prints one line with the step's memory on the wasm heap; a device too small refuses it", () => {
  const clf = new LlmClassifier(initModel(modelCfg, 1), tok, { lora: cfg.lora, fusion: { mode: "token", dropout: 0 }, prompt: {}, maxJets: 2, seed: 3 }, { model: true });
  try {
    const lines: string[] = [];
    checkTrainingFits(cfg, clf, recs, (l) => lines.push(l));
    assert.equal(lines.length, 1);
    const seqLen = Math.max(...recs.map((r) => clf.batchSize([r])));
    assert.match(lines[0], new RegExp(`^hepllm: training step needs .* \\(f32-transposed\\), activations .* \\(batch 4 × ${seqLen} tokens\\).* on the wasm heap: `));
    assert.equal(deviceLimits().name, "the wasm heap");
    const tiny = { name: "a 1 MB device", maxBufferSize: 1e9, maxStorageBufferBindingSize: 1e9, memoryBytes: 1e6, memorySource: "test" };
    // activations alone: 4 sequences × seqLen tokens × 2 layers × the per-token-layer count, 4 bytes each
    const act = 4 * 4 * seqLen * 2 * activationValuesPerTokenLayer(modelCfg, { batch: 4, seqLen, head: "lm", lora: { r: 4, targets: ["q_proj", "v_proj"], dropout: 0 } });
    assert.ok(act > 0.9e6, `${act}`);
    assert.throws(() => checkTrainingFits(cfg, clf, recs, () => undefined, tiny), /the training step needs .* and a 1 MB device has 0\.001 GB .*schedule\.batchSize \(now 4\)/s);
  } finally {
    clf.dispose();
  }
});

test("HEPLLM_GPU_MEMORY reads GB; nonsense is an error naming the variable", () => {
  assert.equal(gpuMemoryFromEnv("24"), 24e9);
  assert.equal(gpuMemoryFromEnv("80GB"), 80e9);
  assert.equal(gpuMemoryFromEnv(""), undefined);
  assert.throws(() => gpuMemoryFromEnv("lots"), /HEPLLM_GPU_MEMORY must be a size in GB/);
});
