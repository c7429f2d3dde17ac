/**
 * Grouped-query self-attention (Ainslie et al. 2023) with rotary embeddings. Each of the
 * kvHeads key/value heads serves rep = heads/kvHeads query heads (HF's repeat_kv order: query
 * head h uses kv head ⌊h/rep⌋). Rather than repeating K and V, the rep query heads of a group
 * are stacked as rep·T rows of one product, so per (batch row, kv head) there are two 2-D
 * products: scores = Q·Kᵀ [rep·T, S] and out = softmax(scores + bias)·V [rep·T, hd].
 * Under a gradient tape that core is one node with the closed-form backward
 *   dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = dS·K, d(Kᵀ) = Qᵀ·dS,
 * far fewer recorded ops than differentiating through the per-group products.
 */
import * as tf from "@tensorflow/tfjs";
import { KVCache } from "./kv-cache";
import { Linear } from "./linear";
import { bmm, tapeActive } from "../kernels/matmul";
import { backendKernels } from "../kernels/kernels";
import { applyRope, RopeTable } from "./rope";

export interface AttentionWeights {
  q: Linear; // [D → heads·hd]
  k: Linear; // [D → kvHeads·hd]
  v: Linear; // [D → kvHeads·hd]
  o: Linear; // [heads·hd → D]
}

/** What one forward pass shares between its layers. */
export interface AttentionContext {
  batch: number;
  /** New tokens per row, T. */
  queryLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Query table (pre-scaled by 1/√hd) and key table, rows in [B·T] order. */
  ropeQ: RopeTable;
  ropeK: RopeTable;
  /** Additive bias [B, 1, 1, T, S]. */
  bias: tf.Tensor;
  cache?: KVCache;
  layer: number;
}

/** Queries restricted to some rows (the last layer, when only some positions' logits are wanted). */
export interface QuerySubset {
  /** Normalised inputs of the query rows, [B·P, D]. */
  x: tf.Tensor2D;
  /** Queries per batch row, P. */
  len: number;
  /** Query rotary table for those rows (pre-scaled by 1/√hd). */
  rope: RopeTable;
  /** Bias [B, 1, 1, P, S] for those rows. */
  bias: tf.Tensor;
}

/**
 * x [B·T, D] (already normalised) → attention output [B·T, D]; with `only`, keys and values still
 * come from all T rows but only the P query rows are computed: output [B·P, D].
 */
export function attention(x: tf.Tensor2D, w: AttentionWeights, c: AttentionContext, only?: QuerySubset): tf.Tensor2D {
  const { batch: b, queryLen: t, heads, kvHeads: kv, headDim: hd } = c;
  const rep = heads / kv;
  const tq = only ? only.len : t;
  const fused = backendKernels().fused?.attention;
  if (fused && !c.cache) {
    // RoPE, scores, bias, softmax and ·V in two kernels each way, on the projections' own layout.
    const dims = { batch: b, queryLen: tq, keyLen: t, heads, kvHeads: kv, headDim: hd };
    const o = fused(w.q.apply(only ? only.x : x), w.k.apply(x), w.v.apply(x), only ? only.rope : c.ropeQ, c.ropeK, only ? only.bias : c.bias, dims);
    return w.o.apply(o);
  }
  const q = applyRope(w.q.apply(only ? only.x : x), heads, hd, only ? only.rope : c.ropeQ);
  let k = applyRope(w.k.apply(x), kv, hd, c.ropeK).reshape([b, t, kv * hd]) as tf.Tensor3D;
  let v = w.v.apply(x).reshape([b, t, kv * hd]) as tf.Tensor3D;
  if (c.cache) ({ k, v } = c.cache.append(c.layer, k, v));
  const s = k.shape[1];
  const g = b * kv;
  // [B,T,kv,rep,hd] → [B,kv,rep,T,hd]: each group's rep·T query rows together.
  const qg = q.reshape([b, tq, kv, rep, hd]).transpose([0, 2, 3, 1, 4]).reshape([g, rep * tq, hd]) as tf.Tensor3D;
  const kT = k.reshape([b, s, kv, hd]).transpose([0, 2, 3, 1]).reshape([g, hd, s]) as tf.Tensor3D;
  const vg = v.reshape([b, s, kv, hd]).transpose([0, 2, 1, 3]).reshape([g, s, hd]) as tf.Tensor3D;
  const out = attendGroups(qg, kT, vg, only ? only.bias : c.bias, [b, kv, rep, tq, s]) // [g, rep·T, hd]
    .reshape([b, kv, rep, tq, hd])
    .transpose([0, 3, 1, 2, 4])
    .reshape([b * tq, heads * hd]) as tf.Tensor2D;
  return w.o.apply(out);
}

/**
 * softmax(Q·Kᵀ + bias)·V per group: q [G, M, hd], kT [G, hd, S], v [G, S, hd] → [G, M, hd]. The
 * scores are viewed as `scoresShape` ([B, kv, rep, T, S]) to add the broadcast bias [B,1,1,T,S].
 */
export function attendGroups(q: tf.Tensor3D, kT: tf.Tensor3D, v: tf.Tensor3D, bias: tf.Tensor, scoresShape: number[]): tf.Tensor3D {
  const [g, m] = q.shape;
  const s = kT.shape[2];
  const probsOf = (qq: tf.Tensor3D, kk: tf.Tensor3D): tf.Tensor3D => tf.softmax(tf.add(bmm(qq, kk).reshape(scoresShape), bias)).reshape([g, m, s]) as tf.Tensor3D;
  if (!tapeActive()) return tf.tidy(() => bmm(probsOf(q, kT), v));
  const tr = (x: tf.Tensor): tf.Tensor3D => tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qq, kk, vv, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    const p = probsOf(qq, kk);
    save([qq, kk, vv, p]);
    return {
      value: bmm(p, vv),
      gradFunc: (dO: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [qs, ks, vs, ps] = saved as tf.Tensor3D[];
          const d = dO as tf.Tensor3D;
          const dP = bmm(d, tr(vs));
          const dV = bmm(tr(ps), d);
          const dS = tf.mul(ps, tf.sub(dP, tf.sum(tf.mul(dP, ps), -1, true))) as tf.Tensor3D;
          return [bmm(dS, tr(ks)), bmm(tr(qs), dS), dV];
        }),
    };
  });
  return f(q, kT, v) as tf.Tensor3D;
}
