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
  // Every row starts masked; each query's visible key range is copied in from `valid` (0 for a
  // real key, MASKED for padding): typed-array fill/set instead of a test per element.
  const bias = new Float32Array(batch * nq * s).fill(MASKED);
  const valid = new Float32Array(s);
  const pos = new Int32Array(s);
  const alt = s - alternatives; // first index of the alternatives block (s when none)
  for (let b = 0; b < batch; b++) {
    const km = keyMask?.[b];
    for (let j = 0, n = 0; j < s; j++) {
      pos[j] = km === undefined ? j : n;
      const real = km === undefined || km[j] === 1;
      valid[j] = real ? 0 : MASKED;
      if (real) n++;
    }
    for (let j = alt + 1; j < s; j++) pos[j] = pos[alt];
    for (let i = 0; i < nq; i++) {
      const q = past + (queries ? queries[b][i] : i);
      const from = window === null ? 0 : firstAtLeast(pos, q, pos[q] - window + 1);
      const to = q < alt ? q : alt - 1; // last visible key before the alternatives block
      const row = (b * nq + i) * s;
      if (to >= from) bias.set(valid.subarray(from, to + 1), row + from);
      if (q >= alt) bias[row + q] = valid[q]; // an alternative sees itself
    }
  }
  return tf.tensor(bias, [batch, 1, 1, nq, s]);
}

/** The first index j in 0..hi with pos[j] ≥ target (pos is non-decreasing); hi + 1 if none. */
function firstAtLeast(pos: Int32Array, hi: number, target: number): number {
  let lo = 0;
  let h = hi + 1;
  while (lo < h) {
    const mid = (lo + h) >> 1;
    if (pos[mid] >= target) h = mid;
    else lo = mid + 1;
  }
  return lo;
}
