/**
 * Load, don't surprise: parameter counts against the published sizes of real models, the memory
 * of each way of holding weights, refusals that name the remedy; and LoRA training on low-memory
 * (bfloat16 host) weights, whose gradients must equal those of the same weights held resident.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { applyLora, initBackend, loadModel, saveModel } from "../../../lib/llm";
import { ModelConfig } from "../../../lib/llm/model/config";
import { checkPlan, countParameters, describePlan, memoryPlan, WASM_HEAP_BYTES } from "../../../lib/llm/model/memory-plan";
import { randomModel, tempDir, TINY_MISTRAL } from "../support";

/** TinyLlama-1.1B (config.json of TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T). */
export const TINYLLAMA: ModelConfig = {
  modelType: "llama", vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, numLayers: 22, numHeads: 32, numKvHeads: 4,
  headDim: 64, ropeTheta: 10000, rmsNormEps: 1e-5, slidingWindow: null, tieWordEmbeddings: false, maxPositionEmbeddings: 2048,
};
/** Mistral-7B-v0.1 (config.json of mistralai/Mistral-7B-v0.1). */
export const MISTRAL_7B: ModelConfig = {
  modelType: "mistral", vocabSize: 32000, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8,
  headDim: 128, ropeTheta: 10000, rmsNormEps: 1e-5, slidingWindow: 4096, tieWordEmbeddings: false, maxPositionEmbeddings: 32768,
};

test("parameter counts equal the published sizes (TinyLlama 1,100,048,384; Mistral-7B 7,241,732,096)", () => {
  assert.equal(countParameters(TINYLLAMA).total, 1_100_048_384);
  assert.equal(countParameters(MISTRAL_7B).total, 7_241_732_096);
});

test("memory plans: float32 resident weights of a 7B model exceed the wasm heap; bfloat16 host weights are 2 bytes each", () => {
  const resident = memoryPlan(MISTRAL_7B);
  assert.ok(resident.deviceBytes > WASM_HEAP_BYTES);
  assert.throws(() => checkPlan("m7b", resident, "wasm", 64e9), /wasm backend, whose memory stops at .*low-memory/s);
  const low = memoryPlan(MISTRAL_7B, { lowMemory: true });
  assert.equal(low.hostBytes, 2 * 7_241_732_096);
  assert.equal(low.transientBytes, 4 * 32000 * 4096); // the head is the largest matrix
  checkPlan("m7b", low, "wasm", 64e9);
  assert.throws(() => checkPlan("m7b", low, "wasm", 8e9), /need 15\.\d+ GB of memory and this machine has 8\.00 GB available/);
});

test("low-memory weights as 16-bit halves on a WebGPU device: 2 bytes per projection and head parameter there, the table bfloat16 on the host", () => {
  // TinyLlama: projections 1,100,048,384 − 2·32000·2048 − 45·2048 = 968,884,224; norms 45·2048 = 92,160
  const half = memoryPlan(TINYLLAMA, { lowMemory: true, deviceHalf: true });
  assert.equal(half.deviceBytes, 2 * (968_884_224 + 32000 * 2048) + 4 * 92_160);
  assert.equal(half.hostBytes, 2 * 32000 * 2048);
  assert.equal(half.transientBytes, 0);
  assert.match(describePlan("tl", half, "webgpu"), /2\.07 GB on the webgpu device as 16-bit halves \+ 0\.131 GB host/);
  assert.equal(memoryPlan(TINYLLAMA, { lowMemory: true, deviceHalf: false }).hostBytes, 2 * 1_100_048_384);
});

let dir: string;
before(async () => {
  await initBackend();
  dir = tempDir("lowmem");
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("loadModel prints size, dtype and memory before loading", async () => {
  const m = randomModel(TINY_MISTRAL, 5);
  saveModel(m, path.join(dir, "bf16"), undefined, { dtype: "BF16" });
  m.dispose();
  const lines: string[] = [];
  const model = await loadModel(path.join(dir, "bf16"), { log: (l) => lines.push(l) });
  model.dispose();
  const p = countParameters(TINY_MISTRAL).total;
  assert.equal(lines.length, 1);
  assert.match(lines[0], new RegExp(`${Math.round(p / 1e3)} K parameters \\(BF16 on disk\\)`));
});

test("LoRA gradients on low-memory (bfloat16 host) weights equal those on the same weights held resident", async () => {
  const file = path.join(dir, "bf16");
  const ids = tf.tensor2d([[1, 5, 9, 13, 17, 21, 25, 29], [3, 6, 9, 12, 15, 18, 21, 24]], undefined, "int32");
  const grads = async (lowMemory: boolean): Promise<Float32Array[]> => {
    const model = await loadModel(file, { lowMemory, log: null });
    const lora = applyLora(model, { r: 4, alpha: 8, targetModules: ["q_proj", "v_proj", "down_proj"], seed: 2 });
    for (const m of lora.modules) m.lora!.b.assign(tf.randomNormal(m.lora!.b.shape, 0, 0.2, "float32", 4));
    const { grads: g } = tf.variableGrads(() => model.forward(ids).square().mean() as tf.Scalar, lora.variables());
    const out = lora.variables().map((v) => g[v.name].dataSync() as Float32Array);
    Object.values(g).forEach((t) => t.dispose());
    lora.dispose();
    model.dispose();
    return out;
  };
  const resident = await grads(false);
  const low = await grads(true);
  let worst = 0;
  let scale = 0;
  resident.forEach((r, i) => r.forEach((x, j) => {
    worst = Math.max(worst, Math.abs(x - low[i][j]));
    scale = Math.max(scale, Math.abs(x));
  }));
  assert.ok(scale > 1e-3, "gradients must be non-trivial");
  assert.ok(worst <= 1e-5 * Math.max(1, scale), `max |Δgrad| = ${worst} (scale ${scale})`);
  ids.dispose();
});
