/**
 * What one LoRA (+ fusion) training step will take on the device, before it starts: the frozen
 * weights as held, the activations the gradient tape keeps for the backward pass, the trainable
 * parameters with their gradients and AdamW moments, and the largest working set of one op —
 * checked against the device's limits (a WebGPU adapter's maxBufferSize and
 * maxStorageBufferBindingSize, its memory where known), so `hepllm train` refuses with the
 * numbers and a remedy instead of crashing mid-step.
 *
 * The activation count follows what this code saves (lib/llm/model/*.ts: each custom gradient's
 * save([...]) list; tfjs frees every other intermediate at the end of its tidy scope). Without
 * recomputation every layer's saved tensors live until the backward pass reaches it; with it
 * (recompute.ts, on for low-memory models) the forward keeps each layer's input (D per token) and
 * the attention bias, and one layer's set exists at a time during the backward.
 * tfjs also keeps what its own gradients need: Add and Reshape save their inputs (for the shapes),
 * Mul and Div both operands; saved tensors share their buffer (Identity aliases), so each buffer
 * counts once. Per layer, per token, in float32 values (D hidden, Q = H·hd query width,
 * K = kv·hd, I MLP width, S = T keys per query, r LoRA rank), without LoRA:
 *   two RMSNorms: x and 1/rms each                                 2·(D + 1)
 *   q and k after RoPE and after the head transpose, v twice         2·Q + 4·K
 *   attention probabilities (attendGroups), its output twice         H·S + 2·Q
 *   the branch operands of the two residual adds, gate and up        2·D + 2·I
 * and for each LoRA target with output width `out` and input width `in`: the frozen product and
 * the branch (kept by their Add) 2·out, the rank-r hidden r, the input where nothing else keeps it
 * (D once for q/k/v, D once for gate/up, I for down) or, with dropout, its own dropped input
 * (in; lib/llm/model/dropout.ts draws the mask again in the backward). Outside the layers, per token: the rotary tables
 * (4·hd) and the final norm (D + 1); with the "lm" head, 3·V per answer position (log-softmax,
 * one-hot, product). test/llm/model/training-memory.test.ts checks this count against the
 * buffers the tape really saves. With the native fused blocks (lib/llm/kernels/native-fused.ts:
 * wasm with the addon) the tape saves less (no transposed copies, no rotated q/k, no LoRA
 * branch products): the count is then an upper bound.
 */
import type { ModelConfig } from "./config";
import { countParameters, formatCount, gb, ParameterCount } from "./memory-plan";

/**
 * How the frozen projection weights are held (lib/llm/model/linear.ts):
 *   "f32-transposed": float32 W and Wᵀ on the device (the default resident mode, 8 bytes each);
 *   "f32":            float32 W only (4 bytes; the backward transposes per product);
 *   "f16":            16-bit halves packed in pairs on the device, one buffer for the forward
 *                     and the transposed backward product (2 bytes; lib/llm/kernels/webgpu-f16-matmul.ts);
 *   "bf16-host":      bfloat16 on the host, expanded to float32 per product (low-memory mode).
 */
export type WeightStorage = "f32-transposed" | "f32" | "f16" | "bf16-host";

/** Bytes per frozen projection parameter on the device, by storage. */
const DEVICE_BYTES: Record<WeightStorage, number> = { "f32-transposed": 8, f32: 4, f16: 2, "bf16-host": 0 };

/** The shape of one training step. */
export interface TrainingShape {
  /** Sequences per micro-batch. */
  batch: number;
  /** Tokens per sequence (prompt + answer, padded to the longest). */
  seqLen: number;
  /** "lm": logits at the answer positions; "linear": a two-class head on the last hidden state (no logits). */
  head: "lm" | "linear";
  /** Answer positions per sequence whose logits the "lm" loss reads (label tokens + EOS; 3 by default). */
  answerTokens?: number;
  lora: { r: number; targets: string[]; dropout: number };
  /** Fusion adapter input width F (absent: no fusion adapter). */
  fusionInputs?: number;
  /**
   * Per-layer recomputation (lib/llm/model/recompute.ts): the forward keeps only each layer's input,
   * the backward replays one layer at a time. Default: on for 16-bit weights ("f16", "bf16-host"),
   * as loadModel sets it for low-memory models.
   */
  recomputeLayers?: boolean;
}

export interface TrainingMemory {
  storage: WeightStorage;
  /** Whether layers are recomputed in the backward. */
  recomputeLayers: boolean;
  params: ParameterCount;
  /** LoRA + fusion + head parameters (float32). */
  trainableParams: number;
  /** Frozen weights on the device, bytes (projections, head, norms). */
  weights: number;
  /** Frozen weights on the host, bytes (the embedding table, or everything in bf16-host mode). */
  hostWeights: number;
  /** Saved activations of one micro-batch, bytes. */
  activations: number;
  /** Saved activations per token per layer, bytes. */
  activationsPerTokenLayer: number;
  /** Trainable parameters, their gradients and the running sum of micro-batch gradients, bytes (4 + 8 per parameter). */
  trainable: number;
  /** AdamW's two moments, bytes (8 per parameter). */
  optimizer: number;
  /** Largest working set of one op beyond the saved activations (attention scores, SwiGLU, logits; the float32 expansion in bf16-host mode) plus one layer's gradients in the backward, bytes. */
  transient: number;
  /** Everything on the device at the step's peak, bytes. */
  total: number;
  /** The largest single tensor on the device: it must fit one storage binding. */
  largestBuffer: { name: string; bytes: number };
}

/** Input width of each LoRA target (lib/llm/adapters/lora.ts names). */
function targetWidths(cfg: ModelConfig): Record<string, { in: number; out: number; reads: string }> {
  const { hiddenSize: d, intermediateSize: i, numHeads: h, numKvHeads: kv, headDim: hd } = cfg;
  return {
    q_proj: { in: d, out: h * hd, reads: "attn-in" },
    k_proj: { in: d, out: kv * hd, reads: "attn-in" },
    v_proj: { in: d, out: kv * hd, reads: "attn-in" },
    o_proj: { in: h * hd, out: d, reads: "o-in" },
    gate_proj: { in: d, out: i, reads: "mlp-in" },
    up_proj: { in: d, out: i, reads: "mlp-in" },
    down_proj: { in: i, out: d, reads: "down-in" },
  };
}

/** Trainable parameters: LoRA A and B on every target of every layer, the fusion adapter, the linear head. */
export function trainableParameters(cfg: ModelConfig, shape: TrainingShape): number {
  const widths = targetWidths(cfg);
  let n = 0;
  for (const t of shape.lora.targets) {
    const w = widths[t];
    if (!w) throw new Error(`LoRA target ${JSON.stringify(t)} is not a projection (${Object.keys(widths).join(", ")})`);
    n += cfg.numLayers * shape.lora.r * (w.in + w.out);
  }
  if (shape.fusionInputs !== undefined) {
    // lib/llm/adapters/fusion/adapter.ts: F → H/2 → H → H, LayerNorm gain and bias, a scale.
    const h = cfg.hiddenSize;
    const h2 = Math.max(1, Math.floor(h / 2));
    n += shape.fusionInputs * h2 + h2 + h2 * h + h + h * h + h + 2 * h + 1;
  }
  if (shape.head === "linear") n += 2 * cfg.hiddenSize + 2;
  return n;
}

/** Saved activation values (float32 count) per token per layer, as the header derives. */
export function activationValuesPerTokenLayer(cfg: ModelConfig, shape: TrainingShape): number {
  const { hiddenSize: d, intermediateSize: i, numHeads: h, numKvHeads: kv, headDim: hd } = cfg;
  const q = h * hd;
  const k = kv * hd;
  // Without LoRA: 2 RMSNorms (x, 1/rms) + q, k, v twice (before and after the head transpose) +
  // probabilities + the attention output twice + the two residual adds' branch operands + gate, up.
  let n = 2 * (d + 1) + 2 * q + 4 * k + h * shape.seqLen + 2 * q + 2 * d + 2 * i;
  const widths = targetWidths(cfg);
  // Inputs that nothing else saves: q/k/v's normed input, gate/up's, down's SwiGLU output (o's
  // input is the transposed attention output, already counted).
  const unsavedInput: Record<string, number> = { "attn-in": d, "mlp-in": d, "o-in": 0, "down-in": i };
  const inputs = new Set<string>();
  for (const t of shape.lora.targets) {
    const w = widths[t];
    n += 2 * w.out + shape.lora.r; // the frozen product and the branch, kept by their Add; the rank-r hidden h
    if (shape.lora.dropout > 0) n += w.in; // its own dropped input (the mask is drawn again in the backward)
    else inputs.add(w.reads);
  }
  for (const r of inputs) n += unsavedInput[r];
  return n;
}

/** Values saved once per token outside the layers: the rotary tables (cos, sin for queries and keys) and the final norm. */
function outsideValuesPerToken(cfg: ModelConfig): number {
  return 4 * cfg.headDim + cfg.hiddenSize + 1;
}

/** The memory of one training step with the frozen weights held as `storage`. */
export function trainingMemory(cfg: ModelConfig, shape: TrainingShape, storage: WeightStorage): TrainingMemory {
  const p = countParameters(cfg);
  const { vocabSize: v, hiddenSize: d, intermediateSize: i, numHeads: h, headDim: hd } = cfg;
  const tokens = shape.batch * shape.seqLen;
  const answers = shape.head === "lm" ? (shape.answerTokens ?? 3) : 0;
  const logitRows = shape.batch * answers;

  // Frozen weights. The head is a projection (tied: a device copy of the host table).
  const perParam = DEVICE_BYTES[storage];
  const weights = perParam * (p.projections + v * d) + (storage === "bf16-host" ? 0 : 4 * p.norms);
  const hostWeights = storage === "bf16-host" ? 2 * p.total : (storage === "f16" ? 2 : 4) * p.embedding;

  const perTokenLayer = 4 * activationValuesPerTokenLayer(cfg, shape);
  const recompute = shape.recomputeLayers ?? (storage === "f16" || storage === "bf16-host");
  // Recomputing: every layer's input (D) and the attention bias the replays share (S per token),
  // plus one layer's full set while it is replayed.
  const layers = recompute ? 4 * tokens * (cfg.numLayers * d + shape.seqLen) + perTokenLayer * tokens : perTokenLayer * tokens * cfg.numLayers;
  const activations = layers + 4 * tokens * outsideValuesPerToken(cfg) + 4 * 3 * logitRows * v;

  const trainableParams = trainableParameters(cfg, shape);
  const trainable = 12 * trainableParams;
  const optimizer = 8 * trainableParams;

  // One op's working set: attention scores, +bias and softmax in flight (3 tensors of B·H·T·S);
  // SwiGLU's gate, up, sigmoid and product (4 of N·I); the logits' three tensors.
  const scores = 4 * shape.batch * h * shape.seqLen * shape.seqLen;
  const big = Math.max(v * d, d * i, d * h * hd);
  const expansion = storage === "bf16-host" ? 4 * big : 0;
  // In the backward, one layer's gradients (about its saved set again) exist beside them.
  const transient = Math.max(3 * scores, 4 * 4 * tokens * i, 3 * 4 * logitRows * v) + expansion + perTokenLayer * tokens;

  // The largest single buffer: a weight matrix as held, or an activation.
  const weightBytes = storage === "bf16-host" ? 4 * big : (storage === "f16" ? 2 : 4) * big;
  const weightName = big === v * d ? "lm_head" : big === d * i ? "MLP projection" : "attention projection";
  const candidates: Array<{ name: string; bytes: number }> = [
    { name: `${weightName} weight${storage === "bf16-host" ? " (float32 expansion)" : ""}`, bytes: weightBytes },
    { name: "attention scores [B·H, T, T]", bytes: scores },
    { name: "MLP activation [B·T, I]", bytes: 4 * tokens * i },
    { name: "logits [B·answers, V]", bytes: 4 * logitRows * v },
  ];
  const largestBuffer = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const total = weights + activations + trainable + optimizer + transient;
  return { storage, recomputeLayers: recompute, params: p, trainableParams, weights, hostWeights, activations, activationsPerTokenLayer: perTokenLayer, trainable, optimizer, transient, total, largestBuffer };
}

/** What the device can hold: its binding and buffer limits, and its memory where known. */
export interface DeviceLimits {
  /** The device in words, e.g. "NVIDIA H100 (webgpu, vulkan)" or "wasm heap". */
  name: string;
  /** Largest single buffer, bytes (WebGPU maxBufferSize). */
  maxBufferSize: number;
  /** Largest buffer one shader may bind, bytes (WebGPU maxStorageBufferBindingSize). */
  maxStorageBufferBindingSize: number;
  /** Memory the step may use, bytes; undefined when the device does not say (WebGPU has no standard query). */
  memoryBytes?: number;
  /** Where memoryBytes comes from, e.g. "reported by the adapter", "HEPLLM_GPU_MEMORY", "host memory (software adapter)". */
  memorySource?: string;
}

/** Share of the device's memory a step may plan for: tfjs's buffer pool keeps freed buffers for reuse. */
export const DEVICE_SHARE = 0.9;

/** One line for the user: the step's memory by part, and the device's limits. */
export function describeTrainingMemory(m: TrainingMemory, shape: TrainingShape, device?: DeviceLimits): string {
  const parts =
    `weights ${gb(m.weights)} (${m.storage}), activations ${gb(m.activations)} (batch ${shape.batch} × ${shape.seqLen} tokens${m.recomputeLayers ? ", layers recomputed" : ""}), ` +
    `LoRA/fusion ${formatCount(m.trainableParams)} parameters ${gb(m.trainable)} + AdamW ${gb(m.optimizer)}, working set ${gb(m.transient)}`;
  const where = device
    ? ` on ${device.name}: ${device.memoryBytes !== undefined ? `${gb(device.memoryBytes)} ${device.memorySource ?? ""}`.trim() : "memory not reported (set HEPLLM_GPU_MEMORY=<GB> to check it)"}, ` +
      `largest buffer ${gb(m.largestBuffer.bytes)} (${m.largestBuffer.name}) of ${gb(Math.min(device.maxBufferSize, device.maxStorageBufferBindingSize))} per binding`
    : "";
  return `hepllm: training step needs ${gb(m.total)}: ${parts}${where}`;
}

/** Throws a clear error when the step can't fit the device: one binding, one buffer, or its memory. */
export function checkTrainingMemory(m: TrainingMemory, shape: TrainingShape, device: DeviceLimits): void {
  const remedy = (what: string): string => {
    const tips: string[] = [];
    if (what === "weights" && m.storage !== "f16" && m.storage !== "bf16-host") tips.push("16-bit frozen weights (\"lowMemory\": true in the config's model) halve or quarter the weights");
    if (shape.batch > 1) tips.push(`a smaller schedule.batchSize (now ${shape.batch}) with gradAccum keeps the effective batch`);
    tips.push(`shorter prompts (now ${shape.seqLen} tokens)`);
    return ` Remedy: ${tips.join("; ")}.`;
  };
  const big = m.largestBuffer;
  const isWeight = / weight/.test(big.name);
  if (big.bytes > device.maxStorageBufferBindingSize) {
    throw new Error(
      `the training step's largest buffer, ${big.name}, takes ${gb(big.bytes)}, beyond ${device.name}'s maxStorageBufferBindingSize of ${gb(device.maxStorageBufferBindingSize)} (one shader can't bind it).` +
        (isWeight ? " This model's weights can't run on this device as held." + remedy("weights") : remedy("activations")),
    );
  }
  if (big.bytes > device.maxBufferSize) {
    throw new Error(`the training step's largest buffer, ${big.name}, takes ${gb(big.bytes)}, beyond ${device.name}'s maxBufferSize of ${gb(device.maxBufferSize)}.` + remedy(isWeight ? "weights" : "activations"));
  }
  if (device.memoryBytes !== undefined && m.total > DEVICE_SHARE * device.memoryBytes) {
    throw new Error(
      `the training step needs ${gb(m.total)} (weights ${gb(m.weights)}, activations ${gb(m.activations)}, trainable + AdamW ${gb(m.trainable + m.optimizer)}, working set ${gb(m.transient)}) ` +
        `and ${device.name} has ${gb(device.memoryBytes)} (${device.memorySource ?? "memory"}; ${Math.round(DEVICE_SHARE * 100)}% of it may be planned).` +
        remedy(m.weights > m.activations ? "weights" : "activations"),
    );
  }
}
