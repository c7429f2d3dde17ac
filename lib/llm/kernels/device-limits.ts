/**
 * What the device the current tfjs backend computes on can hold, for the training-memory check
 * (lib/llm/model/training-memory.ts): WebGPU's per-buffer limits from the adapter, and its memory
 * where known — WebGPU has no standard memory query, so it comes from HEPLLM_GPU_MEMORY (GB), or,
 * for a software adapter, the host's available memory (its "GPU memory" is host memory).
 */
import * as tf from "@tensorflow/tfjs";
import { availableHostBytes, WASM_HEAP_BYTES } from "../model/memory-plan";
import type { DeviceLimits } from "../model/training-memory";
import { webGpuAdapter } from "./webgpu";

/** HEPLLM_GPU_MEMORY in GB (e.g. "24" or "24GB"), in bytes; undefined when unset. Throws on a bad value. */
export function gpuMemoryFromEnv(value = process.env.HEPLLM_GPU_MEMORY): number | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(GB|G)?\s*$/i.exec(value);
  if (!m || !(Number(m[1]) > 0)) throw new Error(`HEPLLM_GPU_MEMORY must be a size in GB such as 24 or 24GB, got ${JSON.stringify(value)}`);
  return Number(m[1]) * 1e9;
}

/** The current backend's device limits. */
export function deviceLimits(): DeviceLimits {
  const backend = tf.getBackend();
  const host = availableHostBytes();
  const a = backend === "webgpu" ? webGpuAdapter() : undefined;
  if (a) {
    const given = gpuMemoryFromEnv();
    return {
      name: `${a.name} (webgpu${a.isSoftware ? ", software" : ""})`,
      maxBufferSize: a.limits.maxBufferSize,
      maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
      memoryBytes: given ?? (a.isSoftware ? host : undefined),
      memorySource: given !== undefined ? "HEPLLM_GPU_MEMORY" : a.isSoftware ? "host memory (software adapter)" : undefined,
    };
  }
  if (backend === "wasm") {
    return { name: "the wasm heap", maxBufferSize: WASM_HEAP_BYTES, maxStorageBufferBindingSize: WASM_HEAP_BYTES, memoryBytes: Math.min(WASM_HEAP_BYTES, host), memorySource: "wasm32 memory" };
  }
  return { name: `the ${backend} backend (host memory)`, maxBufferSize: Infinity, maxStorageBufferBindingSize: Infinity, memoryBytes: host, memorySource: "available host memory" };
}
