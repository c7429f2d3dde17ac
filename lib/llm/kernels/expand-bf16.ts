/**
 * bfloat16 bits on the host → a float32 tensor on the device, the step low-memory weights take
 * before every product (forward, and again in the backward). A backend may register the kernel
 * below to write the float32 values straight into its own memory (wasm does: kernels/wasm.ts);
 * elsewhere the values go through a host float32 copy first. For a 7B model that copy is a
 * 235 MB array per MLP projection and product, garbage the collector frees late, so peak RSS grows
 * by gigabytes without the kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { bf16ToF32 } from "../io/half";

/** Kernel name: no tensor inputs; attrs { bits: Uint16Array, shape: [rows, cols] }; output float32. */
export const EXPAND_BF16 = "HepllmExpandBf16";

/** bits [rows·cols] (row-major bfloat16 patterns) → float32 [rows, cols]. Exact. */
export function expandBf16(bits: Uint16Array, rows: number, cols: number): tf.Tensor2D {
  if (bits.length !== rows * cols) throw new Error(`expandBf16: ${bits.length} values for [${rows}, ${cols}]`);
  if (tf.getKernel(EXPAND_BF16, tf.getBackend())) {
    const attrs = { bits, shape: [rows, cols] } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(EXPAND_BF16, {}, attrs) as tf.Tensor2D;
  }
  return tf.tensor2d(bf16ToF32(bits), [rows, cols]);
}
