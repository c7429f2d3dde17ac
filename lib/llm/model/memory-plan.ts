/**
 * What a model will take before it is loaded: parameter count, the dtype on disk, and the memory
 * of each way of holding the weights — so hepllm says it up front and refuses a model the machine
 * can't hold, instead of dying half-way through a 14 GB read.
 *
 * Holding modes (lib/llm/linear.ts):
 *   resident:   every projection as float32 W [in, out] plus its transpose [out, in] on the device
 *               (8 bytes per projection parameter; 4 without the transpose), embeddings float32
 *               on the host. On the wasm backend the device is wasm32 linear memory: 4 GiB at most.
 *   low-memory: every weight as bfloat16 bits on the host (2 bytes per parameter), expanded to
 *               float32 one projection at a time in the forward pass and again in the backward;
 *               on a backend whose kernels hold 16-bit weights on the device (WebGPU), the
 *               projections and the head live there as IEEE halves instead (2 bytes each), the
 *               embedding table as bfloat16 on the host.
 * The memory of a whole training step (activations, optimizer state) is in training-memory.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type { ModelConfig } from "./config";
import { backendKernels } from "../kernels/kernels";

/** wasm32 linear memory: the most the wasm backend can hold (tensors, activations, transients). */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Share of the wasm heap resident weights may take: activations, gradients and transients need the rest. */
const WASM_WEIGHT_SHARE = 0.75;
/** Share of the available host memory a plan may take: the OS, Node and its buffers need the rest. */
const HOST_SHARE = 0.9;

export interface ParameterCount {
  /** Embedding table V·D. */
  embedding: number;
  /** The output head V·D (0 when tied to the embedding). */
  head: number;
  /** Attention and MLP projections of all layers. */
  projections: number;
  /** RMSNorm gains. */
  norms: number;
  total: number;
}

/** Parameters of a Mistral/Llama decoder from its config alone. */
export function countParameters(cfg: ModelConfig): ParameterCount {
  const { vocabSize: v, hiddenSize: d, intermediateSize: i, numHeads: h, numKvHeads: kv, headDim: hd, numLayers: l } = cfg;
  const perLayer = d * h * hd + 2 * d * kv * hd + h * hd * d + 3 * d * i;
  const embedding = v * d;
  const head = cfg.tieWordEmbeddings ? 0 : v * d;
  const projections = l * perLayer;
  const norms = (2 * l + 1) * d;
  return { embedding, head, projections, norms, total: embedding + head + projections + norms };
}

export interface MemoryPlan {
  params: ParameterCount;
  /** dtype(s) of the weights on disk, e.g. "BF16" or "F32" (several joined by "+"). */
  diskDtype: string;
  lowMemory: boolean;
  /** Host bytes of the weights as held. */
  hostBytes: number;
  /** Device (wasm heap, GPU) bytes of the weights as held. */
  deviceBytes: number;
  /** Largest single float32 expansion in low-memory mode (one projection or the head), bytes. */
  transientBytes: number;
  /** Low-memory weights held as 16-bit halves on the device (WebGPU) rather than bfloat16 on the host. */
  deviceHalf?: boolean;
}

/**
 * The memory a model takes in the given mode (weights only; activations come on top).
 * `deviceHalf` defaults to whether the current backend's kernels hold 16-bit device weights.
 */
export function memoryPlan(cfg: ModelConfig, opts: { lowMemory?: boolean; keepTransposed?: boolean; diskDtype?: string; deviceHalf?: boolean } = {}): MemoryPlan {
  const p = countParameters(cfg);
  const big = Math.max(cfg.vocabSize * cfg.hiddenSize, cfg.hiddenSize * cfg.intermediateSize, cfg.hiddenSize * cfg.numHeads * cfg.headDim);
  if (opts.lowMemory && (opts.deviceHalf ?? backendKernels().halfWeight !== undefined)) {
    // Projections and the head (a second 16-bit copy when tied) as halves and the norms' float32 gains on the device; the table on the host.
    const device = 2 * (p.projections + cfg.vocabSize * cfg.hiddenSize) + 4 * p.norms;
    return { params: p, diskDtype: opts.diskDtype ?? "?", lowMemory: true, hostBytes: 2 * p.embedding, deviceBytes: device, transientBytes: 0, deviceHalf: true };
  }
  if (opts.lowMemory) {
    // Tied heads share the embedding's bits; the float32 expansion of the largest matrix is transient.
    return { params: p, diskDtype: opts.diskDtype ?? "?", lowMemory: true, hostBytes: 2 * p.total, deviceBytes: 0, transientBytes: 4 * big };
  }
  const perProjection = opts.keepTransposed === false ? 4 : 8;
  // The head is a projection too (tied: a second float32 copy of the table on the device).
  const headOnDevice = cfg.vocabSize * cfg.hiddenSize * perProjection;
  return {
    params: p,
    diskDtype: opts.diskDtype ?? "?",
    lowMemory: false,
    hostBytes: 4 * p.embedding,
    deviceBytes: perProjection * p.projections + headOnDevice + 4 * p.norms,
    transientBytes: 0,
  };
}

/** Bytes the OS says can be allocated without swapping (MemAvailable; free memory elsewhere). */
export function availableHostBytes(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/meminfo", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return os.freemem();
}

export const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e9 ? 3 : 2)} GB`;

/** "1.10 B" / "260 K" style parameter counts. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} K`;
  return String(n);
}

/** One line for the user: size, dtype, memory as it will be held. */
export function describePlan(dir: string, plan: MemoryPlan, backend: string): string {
  const where = plan.deviceHalf
    ? `${gb(plan.deviceBytes)} on the ${backend} device as 16-bit halves + ${gb(plan.hostBytes)} host (embeddings, bfloat16) (low-memory)`
    : plan.lowMemory
    ? `${gb(plan.hostBytes)} host as bfloat16 (low-memory; ${gb(plan.transientBytes)} float32 expansion at a time)`
    : `${gb(plan.deviceBytes)} on the ${backend} device + ${gb(plan.hostBytes)} host, float32`;
  return `hepllm: model ${dir}: ${formatCount(plan.params.total)} parameters (${plan.diskDtype} on disk), weights take ${where}`;
}

/**
 * Throws a clear error when the plan can't fit: the wasm heap for resident weights, the host's
 * available memory for either mode. `hostAvailable` and `backend` are parameters for testing.
 */
export function checkPlan(dir: string, plan: MemoryPlan, backend: string, hostAvailable = availableHostBytes()): void {
  const advice = plan.lowMemory ? "" : " Load it with low-memory weights (bfloat16 on the host: `lowMemory: true`, `--low-memory`, or `\"lowMemory\": true` in a training config's model) to need about a quarter of that.";
  if (backend === "wasm" && plan.deviceBytes > WASM_WEIGHT_SHARE * WASM_HEAP_BYTES) {
    throw new Error(
      `${dir}: the model's float32 weights need ${gb(plan.deviceBytes)} on the wasm backend, whose memory stops at ${gb(WASM_HEAP_BYTES)} ` +
        `(weights may take ${Math.round(WASM_WEIGHT_SHARE * 100)}% of it).${advice}`,
    );
  }
  const host = plan.hostBytes + plan.transientBytes + (backend === "wasm" || backend === "cpu" ? plan.deviceBytes : 0);
  if (host > HOST_SHARE * hostAvailable) {
    throw new Error(`${dir}: the model's weights need ${gb(host)} of memory and this machine has ${gb(hostAvailable)} available.${advice}`);
  }
}
