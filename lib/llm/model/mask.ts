/**
 * The additive attention bias shared by all layers of one forward pass: 0 where query i may
 * attend key j, −1e9 elsewhere. Query i (absolute index q = past + i) sees key j when
 *   j ≤ q                             (causal),
 *   pos(j) > pos(q) − W               (sliding window W, as Hugging Face's current Mistral),
 *   keyMask[b][j] = 1                 (not padding),
 * where pos counts the real tokens before an index (the rotary position; the index itself when
 * nothing is padded). With left padding only this is the same as j > q − W; it stays right when
 * padding sits between real tokens (a right-padded batch continued from a cache).
 * With `alternatives` = K, the last K keys are alternatives to one another (decoder.ts,
 * ForwardOptions.alternatives): a query among them sees none of the others, and all K share the
 * position of the first.
 * A fully masked row (a padding query) gets a uniform softmax; its output is never used.
 */
import * as tf from "@tensorflow/tfjs";

export const MASKED = -1e9;

/**
 * Bias [B, 1, 1, Q, S] (broadcast over kv heads and query groups), S = past + T. The queries are
 * the T new tokens, or only `queries[b]` (indices into them, Q per row) when given.
 */
export function attentionBias(batch: number, queryLen: number, past: number, keyMask: Uint8Array[] | undefined, window: number | null, queries?: number[][], alternatives = 0): tf.Tensor {
  const s = past + queryLen;
  const nq = queries ? queries[0].length : queryLen;
  const bias = new Float32Array(batch * nq * s);
  const pos = new Int32Array(s);
  for (let b = 0; b < batch; b++) {
    const km = keyMask?.[b];
    for (let j = 0, n = 0; j < s; j++) {
      pos[j] = km === undefined ? j : n;
      if (km === undefined || km[j] === 1) n++;
    }
    const alt = s - alternatives; // first index of the alternatives block (s when none)
    for (let j = alt + 1; j < s; j++) pos[j] = pos[alt];
    for (let i = 0; i < nq; i++) {
      const q = past + (queries ? queries[b][i] : i);
      const lo = window === null ? -Infinity : pos[q] - window + 1;
      const row = (b * nq + i) * s;
      for (let j = 0; j < s; j++) {
        const ok = j <= q && pos[j] >= lo && (km === undefined || km[j] === 1) && (j < alt || j === q);
        if (!ok) bias[row + j] = MASKED;
      }
    }
  }
  return tf.tensor(bias, [batch, 1, 1, nq, s]);
}
