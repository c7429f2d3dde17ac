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

/**
 * Bias [B, 1, 1, Q, S] (broadcast over kv heads and query groups), S = past + T. The queries are
 * the T new tokens, or only `queries[b]` (indices into them, Q per row) when given.
 */
export function attentionBias(batch: number, queryLen: number, past: number, keyMask: Uint8Array[] | undefined, window: number | null, queries?: number[][]): tf.Tensor {
  const s = past + queryLen;
  const nq = queries ? queries[0].length : queryLen;
  const bias = new Float32Array(batch * nq * s);
  for (let b = 0; b < batch; b++) {
    const km = keyMask?.[b];
    for (let i = 0; i < nq; i++) {
      const q = past + (queries ? queries[b][i] : i);
      const lo = window === null ? 0 : Math.max(0, q - window + 1);
      const row = (b * nq + i) * s;
      for (let j = 0; j < s; j++) {
        const ok = j <= q && j >= lo && (km === undefined || km[j] === 1);
        if (!ok) bias[row + j] = MASKED;
      }
    }
  }
  return tf.tensor(bias, [batch, 1, 1, nq, s]);
}
