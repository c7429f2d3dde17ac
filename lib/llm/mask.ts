/**
 * The additive attention bias shared by all layers of one forward pass: 0 where query i may
 * attend key j, −1e9 elsewhere. Query i (absolute index past + i) sees key j when
 *   j ≤ past + i                      (causal),
 *   j > past + i − W                  (sliding window W, as Hugging Face's current Mistral),
 *   keyMask[b][j] = 1                 (not padding).
 * A fully masked row (a padding query) gets a uniform softmax; its output is never used.
 */
import * as tf from "@tensorflow/tfjs";

export const MASKED = -1e9;

/** Bias [B, 1, 1, T, S] (broadcast over kv heads and query groups), S = past + T. */
export function attentionBias(batch: number, queryLen: number, past: number, keyMask: Uint8Array[] | undefined, window: number | null): tf.Tensor {
  const s = past + queryLen;
  const bias = new Float32Array(batch * queryLen * s);
  for (let b = 0; b < batch; b++) {
    const km = keyMask?.[b];
    for (let i = 0; i < queryLen; i++) {
      const q = past + i;
      const lo = window === null ? 0 : Math.max(0, q - window + 1);
      const row = (b * queryLen + i) * s;
      for (let j = 0; j < s; j++) {
        const ok = j <= q && j >= lo && (km === undefined || km[j] === 1);
        if (!ok) bias[row + j] = MASKED;
      }
    }
  }
  return tf.tensor(bias, [batch, 1, 1, queryLen, s]);
}
