/**
 * What the current tfjs backend offers beyond plain tfjs ops, behind one interface, so that model
 * code asks for a capability instead of a backend name. Each backend's kernels live in a sibling
 * file (wasm.ts, webgpu.ts); a backend without an entry runs plain tfjs ops.
 */
import * as tf from "@tensorflow/tfjs";
import { WASM_KERNELS } from "./wasm";
import { WEBGPU_KERNELS, webGpuAdapter } from "./webgpu";
import type { Bf16Bits } from "../io/half";
import { HalfWeight, webGpuHalfWeight } from "./webgpu-f16-matmul";
import type { FusedKernels } from "./native-fused";
import type { ScoringKernels } from "./native-score";

export interface BackendKernels {
  /**
   * a [G,M,K] · b [G,K,N] → [G,M,N] by one native 2-D product per group, outside a gradient tape;
   * undefined where the backend has none.
   */
  groupMatMul?: (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;
  /**
   * Whether large per-group products run faster as separate 2-D products than as one batched
   * product (wasm: yes, only a plain 2-D product reaches XNNPACK; a GPU: no, one dispatch is best).
   */
  splitGroupProducts: boolean;
  /** Whether `dataSync`/`arraySync` work (not on webgpu in Node: read with `await data()`, lib/llm/kernels/read.ts). */
  syncReads: boolean;
  /** Throws if the device dropped work since the last call (webgpu reports errors out of band). */
  checkErrors?: () => void;
  /**
   * A frozen weight W [in, out], given in Hugging Face layout [out, in] (float32 or bfloat16 bits), held as 16-bit values on the device, for
   * low-memory models (webgpu-f16-matmul.ts); undefined where the backend has none (then
   * low-memory weights stay bfloat16 on the host).
   */
  halfWeight?: (weightOI: Float32Array | Bf16Bits, inF: number, outF: number) => HalfWeight;
  /**
   * Whether frozen weights should be 16-bit unless the caller asks otherwise (`lowMemory` left
   * unset): a GPU whose adapter has `shader-f16` is built for half-precision weights; elsewhere
   * (the CPU, software adapters) float32 stays the default.
   */
  halfByDefault?: () => boolean;
  /**
   * Fused RMSNorm, SwiGLU, attention core and LoRA projection, each one op with its own backward
   * (native-fused.ts: wasm with the native addon); undefined where the backend has none (then
   * the model composes plain tfjs ops).
   */
  fused?: FusedKernels;
  /**
   * The scoring forward's RoPE and attention core, forward only (native-score.ts: wasm with the
   * native addon); undefined where the backend has none (then lib/train/scoring-forward.ts composes plain tfjs ops).
   */
  scoring?: ScoringKernels;
}

/** Plain tfjs ops; per-group splitting as on wasm (the cpu backend's batched kernel is no faster). */
const PLAIN: BackendKernels = { splitGroupProducts: true, syncReads: true };

const BY_BACKEND: Record<string, BackendKernels> = { wasm: WASM_KERNELS, webgpu: {
    ...WEBGPU_KERNELS,
    halfWeight: webGpuHalfWeight,
    halfByDefault: () => webGpuAdapter()?.features.includes("shader-f16") ?? false,
  },
};

/** `lowMemory` as asked, or the backend's default when unset (see `halfByDefault`). */
export function resolveLowMemory(asked: boolean | undefined): boolean {
  return asked ?? backendKernels().halfByDefault?.() ?? false;
}

/** The kernels of the backend tfjs runs on now. */
export function backendKernels(): BackendKernels {
  return BY_BACKEND[tf.getBackend()] ?? PLAIN;
}
