/**
 * The training-step memory plan: hand-derived counts for a small config, the activation count
 * against the buffers the gradient tape really saves (hooked at tfjs's addTapeNode, each buffer
 * once), the checks against device limits, and the headline: a Mistral-7B-shaped LoRA step with
 * 16-bit frozen weights fits a 24 GB GPU.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { applyLora, LoraTarget } from "../../../lib/llm";
import { ModelConfig } from "../../../lib/llm/model/config";
import {
  activationValuesPerTokenLayer, checkTrainingMemory, DeviceLimits, describeTrainingMemory, trainableParameters, trainingMemory, TrainingShape,
} from "../../../lib/llm/model/training-memory";
import { useWasm } from "../../support/backend";
import { useFusedKernels } from "../../../lib/llm/kernels/native";
import { randomModel, TINY_MISTRAL } from "../support";

const ALL: LoraTarget[] = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
const GiB = 1024 ** 3;

/** TINY_MISTRAL without its window (the count is for full attention), D 64, Q 64, K 32, I 96, H 4, hd 16. */
const TINY: ModelConfig = { ...TINY_MISTRAL, slidingWindow: null };
const shape = (over: Partial<TrainingShape> = {}): TrainingShape => ({ batch: 2, seqLen: 24, head: "lm", lora: { r: 4, targets: [], dropout: 0 }, ...over });

test("activation values per token per layer, derived by hand for D 64, Q 64, K 32, I 96, H 4, T 24", () => {
  // 2·(64+1) + 2·64 + 4·32 + 4·24 + 2·64 + 2·64 + 2·96 = 130 + 128 + 128 + 96 + 128 + 128 + 192
  assert.equal(activationValuesPerTokenLayer(TINY, shape()), 930);
  // + q: 2·64 + 4, v: 2·32 + 4, their shared input D = 64
  assert.equal(activationValuesPerTokenLayer(TINY, shape({ lora: { r: 4, targets: ["q_proj", "v_proj"], dropout: 0 } })), 930 + 132 + 68 + 64);
  // + o: 2·64 + 4 (its input is already kept), down: 2·64 + 4 + its input I = 96
  assert.equal(activationValuesPerTokenLayer(TINY, shape({ lora: { r: 4, targets: ["o_proj", "down_proj"], dropout: 0 } })), 930 + 132 + 132 + 96);
  // with dropout each target keeps its own dropped input (k: in 64, up: in 64) and no shared one
  assert.equal(activationValuesPerTokenLayer(TINY, shape({ lora: { r: 4, targets: ["k_proj", "up_proj"], dropout: 0.2 } })), 930 + (2 * 32 + 4) + (2 * 96 + 4) + 64 + 64);
});

test("trainable parameters and the step's parts, derived by hand", () => {
  // LoRA r 4 on q (64→64) and v (64→32) in 2 layers: 2·4·(128 + 96) = 1792
  const s = shape({ lora: { r: 4, targets: ["q_proj", "v_proj"], dropout: 0 } });
  assert.equal(trainableParameters(TINY, s), 1792);
  // fusion F 28 → 32 → 64 → 64, LayerNorm, scale: 28·32 + 32 + 32·64 + 64 + 64·64 + 64 + 128 + 1 = 7329
  assert.equal(trainableParameters(TINY, { ...s, fusionInputs: 28 }), 1792 + 7329);
  assert.equal(trainableParameters(TINY, { ...s, head: "linear" }), 1792 + 130);
  const m = trainingMemory(TINY, { ...s, recomputeLayers: false }, "f16");
  const p = 2 * (64 * 64 + 64 * 32 * 2 + 64 * 64 + 3 * 64 * 96); // projections of 2 layers
  assert.equal(m.weights, 2 * (p + 97 * 64) + 4 * (2 * 2 + 1) * 64); // f16 projections and head, f32 norms
  assert.equal(trainingMemory(TINY, s, "f32-transposed").weights, 8 * (p + 97 * 64) + 4 * 5 * 64);
  assert.equal(trainingMemory(TINY, s, "bf16-host").weights, 0);
  assert.equal(m.trainable, 12 * 1792);
  assert.equal(m.optimizer, 8 * 1792);
  // activations: 48 tokens · 2 layers · 1194 values + 48 · (4·16 + 65) + 3 · (2·3 rows) · 97, 4 bytes each
  assert.equal(m.activations, 4 * (48 * 2 * 1194 + 48 * 129 + 3 * 6 * 97));
  assert.equal(m.total, m.weights + m.activations + m.trainable + m.optimizer + m.transient);
  // Recomputing layers (the default for 16-bit weights): each layer's input (64) and the bias (24)
  // per token, one layer's 1194 values while it is replayed.
  const r = trainingMemory(TINY, s, "f16");
  assert.ok(r.recomputeLayers);
  assert.equal(r.activations, 4 * (48 * (2 * 64 + 24) + 48 * 1194 + 48 * 129 + 3 * 6 * 97));
});

before(useWasm);

test("the activation count equals the buffers the gradient tape saves, per layer (wasm, LoRA and dropout on and off)", () => {
  // The count describes the plain-op path; the native fused blocks (kernels/native-fused.ts) save less.
  const fused = useFusedKernels(false);
  const eng = tf.engine() as unknown as { addTapeNode: (...a: unknown[]) => unknown };
  const orig = eng.addTapeNode;
  const saved = new Map<unknown, number>();
  const params = new Set<unknown>();
  eng.addTapeNode = function (this: unknown, ...a: unknown[]) {
    // Scalars (dropout's keep probability) are left out: a few values per layer, not per token.
    for (const t of (a[4] as tf.Tensor[] | undefined) ?? []) if (t.size > 1 && !params.has(t.dataId)) saved.set(t.dataId, t.size);
    return orig.apply(this, a);
  };
  try {
    const cases: Array<[LoraTarget[], number]> = [[[], 0], [["q_proj", "v_proj"], 0], [["o_proj", "down_proj"], 0], [ALL, 0], [ALL, 0.1], [["k_proj", "up_proj"], 0.2]];
    for (const [targets, dropout] of cases) {
      const b = 2;
      const t = 24;
      // Saved values of a 4-layer and a 2-layer model: the difference is two full layers (the
      // last layer computes only the answer rows, so it is left out by the difference).
      const perLayer = [2, 4].map((layers) => {
        saved.clear();
        params.clear();
        const cfg = { ...TINY, numLayers: layers };
        const m = randomModel(cfg, 1);
        const lora = targets.length ? applyLora(m, { r: 4, alpha: 8, dropout, targetModules: targets }) : undefined;
        const vars = lora ? lora.variables() : [tf.variable(tf.zeros([1]))];
        for (const v of vars) params.add(v.dataId); // LoRA A and B are parameters, not activations
        const ids = tf.tensor2d(Array.from({ length: b * t }, (_, i) => (i * 7) % cfg.vocabSize), [b, t], "int32");
        const positions = Array.from({ length: b }, () => [t - 3, t - 2, t - 1]);
        const { value, grads } = tf.variableGrads(
          () => tf.tidy(() => m.forward(ids, { positions, training: dropout > 0 }).square().mean().add(vars[0].sum().mul(0)) as tf.Scalar),
          vars,
        );
        value.dispose();
        Object.values(grads).forEach((g) => g.dispose());
        ids.dispose();
        lora?.dispose();
        m.dispose();
        return [...saved.values()].reduce((a, c) => a + c, 0);
      });
      const measured = (perLayer[1] - perLayer[0]) / (2 * b * t);
      assert.equal(measured, activationValuesPerTokenLayer(TINY, shape({ lora: { r: 4, targets, dropout } })), `LoRA on [${targets}], dropout ${dropout}`);
    }
  } finally {
    eng.addTapeNode = orig;
    useFusedKernels(fused);
  }
});

const H100_LIKE: DeviceLimits = { name: "a 24 GB GPU", maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 4 * GiB - 4, memoryBytes: 24e9, memorySource: "HEPLLM_GPU_MEMORY" };
/** Mistral-7B-v0.3 (config.json of mistralai/Mistral-7B-v0.3). */
const M7B: ModelConfig = {
  modelType: "mistral", vocabSize: 32768, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8,
  headDim: 128, ropeTheta: 1e6, rmsNormEps: 1e-5, slidingWindow: null, tieWordEmbeddings: false, maxPositionEmbeddings: 32768,
};
const STUDY_STEP: TrainingShape = { batch: 1, seqLen: 128, head: "lm", lora: { r: 8, targets: ALL, dropout: 0.05 }, fusionInputs: 28 };

test("a Mistral-7B-shaped LoRA step (all projections, fusion, 128 tokens) fits 24 GB with 16-bit frozen weights, not with float32", () => {
  const f16 = trainingMemory(M7B, STUDY_STEP, "f16");
  checkTrainingMemory(f16, STUDY_STEP, H100_LIKE);
  assert.ok(f16.total < 0.9 * 24e9, `${f16.total}`);
  const f32 = trainingMemory(M7B, STUDY_STEP, "f32-transposed");
  assert.throws(() => checkTrainingMemory(f32, STUDY_STEP, H100_LIKE), /needs 6\d\.\d\d GB .* a 24 GB GPU has 24\.00 GB .*16-bit frozen weights/s);
  const two = { ...STUDY_STEP, batch: 2 };
  checkTrainingMemory(trainingMemory(M7B, two, "f16"), two, H100_LIKE);
  // The default targets (q, k, v, o) leave room for a batch of 3.
  const qkvo = { ...STUDY_STEP, batch: 3, lora: { r: 8, targets: ["q_proj", "k_proj", "v_proj", "o_proj"], dropout: 0.05 } };
  checkTrainingMemory(trainingMemory(M7B, qkvo, "f16"), qkvo, H100_LIKE);
});

test("limits: a buffer beyond one binding or maxBufferSize, and a step beyond the memory, are refused with the numbers", () => {
  const small: DeviceLimits = { name: "webgpu (default limits)", maxBufferSize: 200 * 1024 ** 2, maxStorageBufferBindingSize: 128 * 1024 ** 2 };
  const f16 = trainingMemory(M7B, STUDY_STEP, "f16");
  assert.equal(f16.largestBuffer.bytes, 2 * 4096 * 32768); // the head, 16-bit: 268 MB
  assert.throws(() => checkTrainingMemory(f16, STUDY_STEP, small), /lm_head weight, takes 0\.268 GB, beyond webgpu \(default limits\)'s maxStorageBufferBindingSize of 0\.134 GB/);
  assert.throws(() => checkTrainingMemory(f16, STUDY_STEP, { ...small, maxStorageBufferBindingSize: GiB }), /maxBufferSize of 0\.210 GB/);
  // Activations: 64 sequences of 512 tokens make 2 GiB-plus of attention scores in one tensor.
  const long = { ...STUDY_STEP, batch: 64, seqLen: 512 };
  const m = trainingMemory(M7B, long, "f16");
  assert.equal(m.largestBuffer.name, "attention scores [B·H, T, T]");
  assert.throws(() => checkTrainingMemory(m, long, { ...H100_LIKE, maxStorageBufferBindingSize: 2 * GiB - 4 }), /attention scores .* smaller schedule\.batchSize \(now 64\)/s);
  // Unknown memory: only the limits are checked, and the line says how to give it.
  checkTrainingMemory(f16, STUDY_STEP, { ...H100_LIKE, memoryBytes: undefined });
  assert.match(describeTrainingMemory(f16, STUDY_STEP, { ...H100_LIKE, memoryBytes: undefined }), /memory not reported \(set HEPLLM_GPU_MEMORY=<GB> to check it\)/);
  assert.match(describeTrainingMemory(f16, STUDY_STEP, H100_LIKE), /^hepllm: training step needs 1\d\.\d\d GB: weights 14\.23 GB \(f16\), activations .* on a 24 GB GPU: 24\.00 GB HEPLLM_GPU_MEMORY/);
});

test("with layers recomputed the forward keeps each layer's input, D values per token (tape hook, wasm)", () => {
  const eng = tf.engine() as unknown as { addTapeNode: (...a: unknown[]) => unknown };
  const orig = eng.addTapeNode;
  const saved = new Map<unknown, number>();
  const params = new Set<unknown>();
  let recording = true;
  eng.addTapeNode = function (this: unknown, ...a: unknown[]) {
    if (recording) for (const t of (a[4] as tf.Tensor[] | undefined) ?? []) if (t.size > 1 && !params.has(t.dataId)) saved.set(t.dataId, t.size);
    return orig.apply(this, a);
  };
  try {
    const b = 2;
    const t = 24;
    const perLayer = [2, 4].map((layers) => {
      saved.clear();
      params.clear();
      recording = true;
      const cfg = { ...TINY, numLayers: layers };
      const m = randomModel(cfg, 1);
      m.recomputeLayers = true;
      const lora = applyLora(m, { r: 4, alpha: 8, dropout: 0.1, targetModules: ALL });
      const vars = lora.variables();
      for (const v of vars) params.add(v.dataId);
      const ids = tf.tensor2d(Array.from({ length: b * t }, (_, i) => (i * 7) % cfg.vocabSize), [b, t], "int32");
      const positions = Array.from({ length: b }, () => [t - 3, t - 2, t - 1]);
      let forward = 0;
      const { value, grads } = tf.variableGrads(() => {
        const y = tf.tidy(() => m.forward(ids, { positions, training: true }).square().mean() as tf.Scalar);
        forward = [...saved.values()].reduce((a, c) => a + c, 0); // what the forward kept, before any replay
        recording = false;
        return y;
      }, vars);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
      ids.dispose();
      lora.dispose();
      m.dispose();
      return forward;
    });
    assert.equal((perLayer[1] - perLayer[0]) / (2 * b * t), TINY.hiddenSize);
  } finally {
    eng.addTapeNode = orig;
  }
});
