/**
 * The decoder's forward pass specialised for the batched scorer's linear head (batch-scorer.ts):
 * B prompts that share a fully real prefix of P tokens (keys and values from a PrefixCache),
 * then T own tokens each, right-padded, and only each row's last real token's final hidden state
 * wanted. Exact rearrangements of Decoder.hidden (the same numbers within float rounding):
 *
 * - RMSNorm gains folded into the next projections (diag(g)·W);
 * - right padding after a real prefix: a real query at index a sees keys (a − W, a] in every row
 *   (causal, sliding window W by index), so one bias table [Tq, S] and one rotary table [T] serve
 *   all rows. Padding queries see real keys only (finite rows); no real query ever sees them;
 * - causal blocks: queries cut into `blocks` ranges, each attending only to the keys up to its
 *   end, where the plain pass computes and masks the whole T×S square (2 blocks: ¼ less score
 *   work, 3: ⅓);
 * - the last layer: keys and values at every position, the query, MLP and norm at the read row only.
 *
 * Where the backend has scoring kernels (`backendKernels().scoring`: native-score.ts) the token
 * gather, RoPE, the attention core and the MLP block (norm, gate, up, SwiGLU, down, residual) are
 * one kernel each, every query seeing exactly its key range [lo, hi) (no bias table, no query
 * blocks, the prefix's keys not tiled); the attention's RMSNorm is the backend's fused one when it
 * has it. Elsewhere the same steps run as plain tfjs ops.
 *
 * Shapes: N = B·T rows of width D; per layer q [N, H·hd], k and v [N, KV·hd]; group g = B·KV.
 */
import * as tf from "@tensorflow/tfjs";
import { bmm } from "../llm/kernels/matmul";
import { Decoder, LM } from "../llm";
import { MASKED } from "../llm/model/mask";
import { ropeTable, rotateHalfMatrix } from "../llm/model/rope";
import type { PrefixCache } from "../llm/model/prefix-cache";
import { backendKernels } from "../llm/kernels/kernels";
import type { FusedKernels } from "../llm/kernels/native-fused";
import type { KeysValues, ScoringKernels } from "../llm/kernels/native-score";

/** One layer's folded weights, [in, out]. */
type FoldedLayer = {
  q: tf.Tensor2D; // diag(g_in)·Wq
  k: tf.Tensor2D;
  v: tf.Tensor2D;
  o: tf.Tensor2D;
  gate: tf.Tensor2D; // diag(g_post)·Wgate
  up: tf.Tensor2D;
  down: tf.Tensor2D;
};

/** What passes of one (P, T) share: the bias of each query block [e−a, P+e], rotary tables [T, 1, hd]. */
interface Tables {
  bias: tf.Tensor[];
  /** Key ranges [lo, hi) of the own queries 0..T−1 in [prefix, own] (scoring kernels), int32 [T, 2]. */
  ranges: tf.Tensor2D;
  cosQ: tf.Tensor;
  sinQ: tf.Tensor;
  cosK: tf.Tensor;
  sinK: tf.Tensor;
}

/** Largest embedding table kept on the device for the gather (the demo model's: 256 kB; a 7B model's 500 MB stays on the host). */
export const EMBED_TABLE_MAX_BYTES = 64 * 2 ** 20;

/** First key position a query at position q sees under a sliding window of W keys (null: no window). */
function windowStart(q: number, window: number | null): number {
  return window === null ? 0 : Math.max(0, q - window + 1);
}

/** Query blocks of the causal attention (3: a third less score work than the square; more blocks add slice copies). */
export const DEFAULT_BLOCKS = 3;

export class ScoringForward {
  private readonly layers: FoldedLayer[];
  private readonly norm: tf.Tensor1D;
  /** R [hd, hd]: x·R = rotate_half(x) (one ±1 per column: exact). */
  private readonly rot: tf.Tensor2D;
  private readonly cfg: Decoder["config"];
  /** Bias and rotary tables per (P, T) of a call: passes of equal length share them. */
  private readonly tables = new Map<string, Tables>();
  /** Gain 1 [D] for the backend's fused RMSNorm (the gains live in the folded weights). */
  private readonly ones: tf.Tensor1D;
  /** The token embedding table [V, D] on the device when small (EMBED_TABLE_MAX_BYTES) and the backend has scoring kernels, for their gather. */
  private readonly table: tf.Tensor2D | undefined;
  private readonly model: Decoder;

  /** A model whose projections are plain float32 (LoRA merged or absent): else undefined (use Decoder.hidden). */
  static of(model: LM): ScoringForward | undefined {
    if (!(model instanceof Decoder)) return undefined;
    const ok = model.layers.every((l) => [l.attn.q, l.attn.k, l.attn.v, l.attn.o, l.mlp.gate, l.mlp.up, l.mlp.down].every((x) => !x.lowMemory && (x.lora === undefined || x.merged)));
    return ok ? new ScoringForward(model) : undefined;
  }

  private constructor(model: Decoder) {
    const cfg = (this.cfg = model.config);
    this.model = model;
    this.norm = model.norm;
    const e = model.embedding;
    this.table = backendKernels().scoring && !e.lowMemory && 4 * e.vocabSize * e.dim <= EMBED_TABLE_MAX_BYTES ? tf.keep(tf.tensor2d(e.table(), [e.vocabSize, e.dim])) : undefined;
    this.rot = tf.keep(rotateHalfMatrix(cfg.headDim));
    this.ones = tf.keep(tf.ones([cfg.hiddenSize]));
    this.layers = model.layers.map((l) =>
      tf.tidy(() => {
        const fold = (g: tf.Tensor1D, w: tf.Tensor2D): tf.Tensor2D => tf.mul(g.reshape([-1, 1]), w) as tf.Tensor2D;
        const f: FoldedLayer = {
          q: fold(l.inputNorm, l.attn.q.weightIO()),
          k: fold(l.inputNorm, l.attn.k.weightIO()),
          v: fold(l.inputNorm, l.attn.v.weightIO()),
          o: l.attn.o.weightIO(),
          gate: fold(l.postNorm, l.mlp.gate.weightIO()),
          up: fold(l.postNorm, l.mlp.up.weightIO()),
          down: l.mlp.down.weightIO(),
        };
        for (const t of Object.values(f)) tf.keep(t);
        return f;
      }),
    );
  }

  /**
   * Token embeddings [B, T, D] of ids [B, T], the same rows as Decoder.embed: with the backend's
   * scoring kernels gathered on the device from the kept table (the host lookup builds a fresh
   * [B·T, D] array per pass and uploads it: ~8 % of a demo scoring call; tfjs's own wasm gather
   * is slower still), else Decoder.embed.
   */
  embed(ids: tf.Tensor2D): tf.Tensor3D {
    const sk = backendKernels().scoring;
    if (!this.table || !sk) return this.model.embed(ids);
    const [b, t] = ids.shape;
    return tf.tidy(() => sk.gatherRows(this.table!, ids.reshape([-1])).reshape([b, t, this.cfg.hiddenSize]) as tf.Tensor3D);
  }

  /**
   * Final-norm hidden states at index `last[b]` of each row's T own tokens, [B, D]; with
   * alternatives (K per row, `alt` their embeddings [B·K, D]: e.g. each label's first token,
   * decoder ForwardOptions.alternatives) also at each of them: [B·(1 + K), D], per row its last
   * token then its K alternatives. `x`: the own tokens' input embeddings [B·T, D]; `prefix`: the
   * shared prefix (P = its length) or none. An alternative sits at rotary position P + last[b] + 1,
   * sees the row's real tokens and itself; keys are ordered [alternatives, prefix, own tokens].
   */
  lastHidden(x: tf.Tensor2D, b: number, t: number, last: number[], prefix: PrefixCache | undefined, blocks = DEFAULT_BLOCKS, alt?: { x: tf.Tensor2D; k: number }): tf.Tensor2D {
    const cfg = this.cfg;
    const { headDim: hd, ropeTheta: theta, slidingWindow: window } = cfg;
    const p = prefix?.length ?? 0;
    const lead = alt?.k ?? 0;
    const sk = backendKernels().scoring;
    if (sk) return this.lastHiddenKernels(sk, backendKernels().fused, x, b, t, last, prefix, alt);
    const nb = Math.max(1, Math.min(blocks, t));
    const { bias, cosQ, sinQ, cosK, sinK } = this.sharedTables(p, t, nb, lead);
    const bounds = blockBounds(t, nb);
    const posLast = last.map((l) => p + l);
    const s = lead + p + t;
    return tf.tidy(() => {
      const rl = ropeTable(posLast, hd, theta, 1 / Math.sqrt(hd));
      const posAlt = posLast.flatMap((q) => new Array<number>(lead).fill(q + 1));
      const at = alt ? { q: ropeTable(posAlt, hd, theta, 1 / Math.sqrt(hd)), k: ropeTable(posAlt, hd, theta), bias: altBias(posLast, lead, s, window) } : undefined;
      // The alternatives' keys and values [B, K, KV·hd] of one layer, from their normed inputs.
      const altKV = (xa: tf.Tensor2D | undefined, w: FoldedLayer): { k: tf.Tensor3D; v: tf.Tensor3D } | undefined =>
        xa && at ? { k: rope(xa, w.k, this.rot, at.k.cos, at.k.sin, b * lead, 1).reshape([b, lead, -1]) as tf.Tensor3D, v: tf.matMul(xa, w.v).reshape([b, lead, -1]) as tf.Tensor3D } : undefined;
      // The alternatives' attention output [B·K, D] (before the residual).
      const altOut = (xa: tf.Tensor2D, w: FoldedLayer, kT: tf.Tensor3D, vg: tf.Tensor3D): tf.Tensor2D =>
        tf.matMul(this.attendRows(rope(xa, w.q, this.rot, at!.q.cos, at!.q.sin, b * lead, 1), kT, vg, at!.bias, b, lead), w.o);
      let h = x;
      let ha = alt?.x;
      const nl = this.layers.length;
      for (let i = 0; i < nl - 1; i++) {
        const w = this.layers[i];
        const [prev, prevA] = [h, ha];
        [h, ha] = tf.tidy(() => {
          const xn = normed(prev, cfg.rmsNormEps);
          const xa = prevA ? normed(prevA, cfg.rmsNormEps) : undefined;
          const q = rope(xn, w.q, this.rot, cosQ, sinQ, b, t);
          const { kT, vg } = this.keysValues(xn, w, cosK, sinK, b, t, i, prefix, altKV(xa, w));
          const rep = cfg.numHeads / cfg.numKvHeads;
          const qt = q.reshape([b, t, cfg.numKvHeads, rep, hd]).transpose([0, 2, 3, 1, 4]).reshape([b * cfg.numHeads, t * hd]) as tf.Tensor2D; // [B·KV·rep, T·hd]
          const outs = bounds.map(([a, e], j) => this.attendBlock(qt, kT, vg, bias[j], a, e, lead + p, b));
          const o = (outs.length === 1 ? outs[0] : tf.concat(outs, 1)).reshape([b, cfg.numKvHeads, rep, t, hd]).transpose([0, 3, 1, 2, 4]).reshape([b * t, cfg.numHeads * hd]) as tf.Tensor2D;
          const h1 = tf.add(prev, tf.matMul(o, w.o)) as tf.Tensor2D;
          const next = tf.add(h1, mlp(normed(h1, cfg.rmsNormEps), w)) as tf.Tensor2D;
          if (!xa || !prevA) return [next];
          const ha1 = tf.add(prevA, altOut(xa, w, kT, vg)) as tf.Tensor2D;
          return [next, tf.add(ha1, mlp(normed(ha1, cfg.rmsNormEps), w)) as tf.Tensor2D];
        }) as [tf.Tensor2D, tf.Tensor2D | undefined];
      }
      // Last layer: keys and values everywhere, everything else at the read rows only.
      const w = this.layers[nl - 1];
      const rows = tf.tensor1d(last.map((l, r) => r * t + l), "int32");
      const xn = normed(h, cfg.rmsNormEps);
      const xa = ha ? normed(ha, cfg.rmsNormEps) : undefined;
      const { kT, vg } = this.keysValues(xn, w, cosK, sinK, b, t, nl - 1, prefix, altKV(xa, w));
      const ql = rope(tf.gather(xn, rows) as tf.Tensor2D, w.q, this.rot, rl.cos, rl.sin, b, 1); // [B, H·hd]
      let hs = tf.add(tf.gather(h, rows), tf.matMul(this.attendRows(ql, kT, vg, lastRowBias(posLast, lead, s, window), b, 1), w.o)) as tf.Tensor2D;
      if (xa && ha) {
        const d = cfg.hiddenSize;
        const hsa = tf.add(ha, altOut(xa, w, kT, vg));
        hs = tf.concat([hs.reshape([b, 1, d]), hsa.reshape([b, lead, d])], 1).reshape([b * (1 + lead), d]) as tf.Tensor2D;
      }
      const h2 = tf.add(hs, mlp(normed(hs, cfg.rmsNormEps), w)) as tf.Tensor2D;
      return tf.mul(normed(h2, cfg.rmsNormEps), this.norm) as tf.Tensor2D;
    });
  }

  /**
   * lastHidden on the backend's scoring kernels: per layer RoPE on the projections, one attention
   * call for the own queries (each sees keys [max(0, P+t−W+1), P+t] of [prefix, own]), one for
   * the alternatives (the same row's keys up to its last real token, within W − 1, and itself).
   */
  private lastHiddenKernels(sk: ScoringKernels, fk: FusedKernels | undefined, x: tf.Tensor2D, b: number, t: number, last: number[], prefix: PrefixCache | undefined, alt: { x: tf.Tensor2D; k: number } | undefined): tf.Tensor2D {
    const cfg = this.cfg;
    const { headDim: hd, ropeTheta: theta, slidingWindow: window, numHeads: heads, numKvHeads: kvHeads } = cfg;
    const p = prefix?.length ?? 0;
    const lead = alt?.k ?? 0;
    const { cosQ, sinQ, cosK, sinK, ranges } = this.sharedTables(p, t, 0, lead);
    const eps = cfg.rmsNormEps;
    const norm = (h: tf.Tensor2D): tf.Tensor2D => (fk?.rmsNorm ? fk.rmsNorm(h, this.ones, eps) : normed(h, eps));
    // h + mlp(norm(h)): one kernel, the activations in cache-sized row blocks.
    const mlpBlock = (h: tf.Tensor2D, w: FoldedLayer): tf.Tensor2D => sk.mlpResidual(h, w.gate, w.up, w.down, eps);
    const dims = (queries: number) => ({ batch: b, queries, own: t, heads, kvHeads, headDim: hd });
    const posLast = last.map((l) => p + l);
    const lo = (q: number): number => windowStart(q, window);
    return tf.tidy(() => {
      const rl = ropeTable(posLast, hd, theta, 1 / Math.sqrt(hd));
      const lastRanges = tf.tensor2d(posLast.flatMap((q) => [lo(q), q + 1]), [b, 2], "int32");
      const posAlt = posLast.flatMap((q) => new Array<number>(lead).fill(q + 1));
      const at = alt
        ? { q: ropeTable(posAlt, hd, theta, 1 / Math.sqrt(hd)), k: ropeTable(posAlt, hd, theta), ranges: tf.tensor2d(posAlt.flatMap((q) => [lo(q), q]), [b * lead, 2], "int32") }
        : undefined;
      // The alternatives' attention output [B·K, D] (before the residual), from their normed inputs.
      const altOut = (xa: tf.Tensor2D, w: FoldedLayer, own: KeysValues, pre: KeysValues | undefined): tf.Tensor2D => {
        const qa = sk.ropeRows(tf.matMul(xa, w.q), at!.q.cos, at!.q.sin, hd);
        const ext = { k: sk.ropeRows(tf.matMul(xa, w.k), at!.k.cos, at!.k.sin, hd), v: tf.matMul(xa, w.v) };
        return tf.matMul(sk.attend(qa, own, pre, ext, at!.ranges, dims(lead)), w.o);
      };
      // Own keys (rotated) and values [B·T, KV·hd] of one layer.
      const keysValues = (xn: tf.Tensor2D, w: FoldedLayer): KeysValues => ({ k: sk.ropeRows(tf.matMul(xn, w.k), cosK, sinK, hd), v: tf.matMul(xn, w.v) });
      let h = x;
      let ha = alt?.x;
      const nl = this.layers.length;
      for (let i = 0; i < nl - 1; i++) {
        const w = this.layers[i];
        const [prev, prevA] = [h, ha];
        [h, ha] = tf.tidy(() => {
          const xn = norm(prev);
          const own = keysValues(xn, w);
          const pre = prefix?.layer(i, 1);
          const q = sk.ropeRows(tf.matMul(xn, w.q), cosQ, sinQ, hd);
          const h1 = tf.add(prev, tf.matMul(sk.attend(q, own, pre, undefined, ranges, dims(t)), w.o)) as tf.Tensor2D;
          const next = mlpBlock(h1, w);
          if (!prevA) return [next];
          const ha1 = tf.add(prevA, altOut(norm(prevA), w, own, pre)) as tf.Tensor2D;
          return [next, mlpBlock(ha1, w)];
        }) as [tf.Tensor2D, tf.Tensor2D | undefined];
      }
      // Last layer: keys and values everywhere, everything else at the read rows only.
      const w = this.layers[nl - 1];
      const rows = tf.tensor1d(last.map((l, r) => r * t + l), "int32");
      const xn = norm(h);
      const own = keysValues(xn, w);
      const pre = prefix?.layer(nl - 1, 1);
      const ql = sk.ropeRows(tf.matMul(tf.gather(xn, rows) as tf.Tensor2D, w.q), rl.cos, rl.sin, hd); // [B, H·hd]
      let hs = tf.add(tf.gather(h, rows), tf.matMul(sk.attend(ql, own, pre, undefined, lastRanges, dims(1)), w.o)) as tf.Tensor2D;
      if (ha) {
        const d = cfg.hiddenSize;
        const hsa = tf.add(ha, altOut(norm(ha), w, own, pre));
        hs = tf.concat([hs.reshape([b, 1, d]), hsa.reshape([b, lead, d])], 1).reshape([b * (1 + lead), d]) as tf.Tensor2D;
      }
      return tf.mul(norm(mlpBlock(hs, w)), this.norm) as tf.Tensor2D;
    });
  }

  /** m query rows per batch row, q [B·m, H·hd] (rotated, scaled), against all keys with bias [B, 1, m, S]: → [B·m, H·hd]. */
  private attendRows(q: tf.Tensor2D, kT: tf.Tensor3D, vg: tf.Tensor3D, bias: tf.Tensor, b: number, m: number): tf.Tensor2D {
    const { numKvHeads: kv, numHeads: heads, headDim: hd } = this.cfg;
    const rep = heads / kv;
    const s = kT.shape[2];
    const qg = (m === 1 ? q : q.reshape([b, m, kv, rep, hd]).transpose([0, 2, 3, 1, 4])).reshape([b * kv, rep * m, hd]) as tf.Tensor3D;
    const probs = tf.softmax(tf.add(bmm(qg, kT).reshape([b, heads, m, s]), bias)).reshape([b * kv, rep * m, s]) as tf.Tensor3D;
    const o = bmm(probs, vg);
    return (m === 1 ? o : o.reshape([b, kv, rep, m, hd]).transpose([0, 3, 1, 2, 4])).reshape([b * m, heads * hd]) as tf.Tensor2D;
  }

  /** Keys kT [g, hd, S] (rotated) and values [g, S, hd] of one layer: the alternatives', the prefix's, the own tokens'. */
  private keysValues(xn: tf.Tensor2D, w: FoldedLayer, cos: tf.Tensor, sin: tf.Tensor, b: number, t: number, layer: number, prefix: PrefixCache | undefined, alt: { k: tf.Tensor3D; v: tf.Tensor3D } | undefined): { kT: tf.Tensor3D; vg: tf.Tensor3D } {
    const { numKvHeads: kv, headDim: hd } = this.cfg;
    const k = rope(xn, w.k, this.rot, cos, sin, b, t).reshape([b, t, kv * hd]) as tf.Tensor3D;
    const v = tf.matMul(xn, w.v).reshape([b, t, kv * hd]) as tf.Tensor3D;
    const pre = prefix?.layer(layer, b);
    const all = (a: tf.Tensor3D | undefined, pr: tf.Tensor3D | undefined, own: tf.Tensor3D): tf.Tensor3D => {
      const parts = [...(a ? [a] : []), ...(pr ? [pr] : []), own];
      return parts.length === 1 ? own : (tf.concat(parts, 1) as tf.Tensor3D);
    };
    const ka = all(alt?.k, pre?.k, k);
    const va = all(alt?.v, pre?.v, v);
    const s = ka.shape[1];
    return {
      kT: ka.reshape([b, s, kv, hd]).transpose([0, 2, 3, 1]).reshape([b * kv, hd, s]) as tf.Tensor3D,
      vg: va.reshape([b, s, kv, hd]).transpose([0, 2, 1, 3]).reshape([b * kv, s, hd]) as tf.Tensor3D,
    };
  }

  /**
   * Queries a..e−1 of every group against keys 0..off+e−1 (off: the keys before the own tokens): → [B·KV·rep, (e−a)·hd]. Slices are taken
   * on 2-D views whose rows are long runs (the wasm Slice copies one innermost row at a time).
   */
  private attendBlock(qt: tf.Tensor2D, kT: tf.Tensor3D, vg: tf.Tensor3D, bias: tf.Tensor, a: number, e: number, off: number, b: number): tf.Tensor2D {
    const { numKvHeads: kv, headDim: hd } = this.cfg;
    const rep = this.cfg.numHeads / kv;
    const t = qt.shape[1] / hd;
    const g = b * kv;
    const sb = off + e;
    const s = kT.shape[2];
    const tb = e - a;
    const qb = (a === 0 && e === t ? qt : tf.slice(qt, [0, a * hd], [g * rep, tb * hd])).reshape([g, rep * tb, hd]) as tf.Tensor3D;
    const kb = sb === s ? kT : (tf.slice(kT.reshape([g * hd, s]), [0, 0], [g * hd, sb]).reshape([g, hd, sb]) as tf.Tensor3D);
    const vb = sb === s ? vg : (tf.slice(vg.reshape([g, s * hd]), [0, 0], [g, sb * hd]).reshape([g, sb, hd]) as tf.Tensor3D);
    const probs = tf.softmax(tf.add(bmm(qb, kb).reshape([g * rep, tb, sb]), bias)).reshape([g, rep * tb, sb]) as tf.Tensor3D;
    return bmm(probs, vb).reshape([g * rep, tb * hd]) as tf.Tensor2D;
  }

  /** The tables of own tokens at positions P..P+T−1 (kept until dispose); blocks 0: no bias (the scoring kernels take ranges). */
  private sharedTables(p: number, t: number, blocks: number, lead: number): Tables {
    const key = `${p},${t},${blocks},${lead}`;
    let have = this.tables.get(key);
    if (!have) {
      const cfg = this.cfg;
      const pos = Array.from({ length: t }, (_, j) => p + j);
      const rq = ropeTable(pos, cfg.headDim, cfg.ropeTheta, 1 / Math.sqrt(cfg.headDim));
      const rk = ropeTable(pos, cfg.headDim, cfg.ropeTheta);
      const biases = blocks === 0 ? [] : blockBounds(t, blocks).map(([a, e]) => blockBias(lead, p, a, e, cfg.slidingWindow));
      const ranges = tf.tensor2d(pos.flatMap((q) => [windowStart(q, cfg.slidingWindow), q + 1]), [t, 2], "int32");
      have = { bias: biases.map((x) => tf.keep(x)), ranges: tf.keep(ranges), cosQ: tf.keep(rq.cos), sinQ: tf.keep(rq.sin), cosK: tf.keep(rk.cos), sinK: tf.keep(rk.sin) };
      this.tables.set(key, have);
    }
    return have;
  }

  dispose(): void {
    for (const l of this.layers) for (const t of Object.values(l)) t.dispose();
    this.rot.dispose();
    this.ones.dispose();
    this.table?.dispose();
    for (const ts of this.tables.values()) for (const t of [...ts.bias, ts.ranges, ts.cosQ, ts.sinQ, ts.cosK, ts.sinK]) t.dispose();
    this.tables.clear();
  }
}

/** x·r with r = 1/√(mean(x²) + ε) per row (the gain lives in the next weights). */
function normed(x: tf.Tensor2D, eps: number): tf.Tensor2D {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))) as tf.Tensor2D;
}

/** RoPE of x·W over rows [B, T] (T = 1: per-row tables [B, 1, hd]): y ⊙ cos + (y·R per head) ⊙ sin, → [B·T, heads·hd]. */
function rope(x: tf.Tensor2D, w: tf.Tensor2D, rot: tf.Tensor2D, cos: tf.Tensor, sin: tf.Tensor, b: number, t: number): tf.Tensor2D {
  const hd = rot.shape[0];
  const width = w.shape[1];
  const shape = t === 1 ? [b, width / hd, hd] : [b, t, width / hd, hd]; // tables [B,1,hd] or [T,1,hd]
  const y = tf.matMul(x, w);
  const yr = tf.matMul(y.reshape([-1, hd]) as tf.Tensor2D, rot);
  return tf.add(tf.mul(y.reshape(shape), cos), tf.mul(yr.reshape(shape), sin)).reshape([b * t, width]) as tf.Tensor2D;
}

function mlp(xn: tf.Tensor2D, w: FoldedLayer): tf.Tensor2D {
  const g = tf.matMul(xn, w.gate);
  return tf.matMul(tf.mul(tf.mul(g, tf.sigmoid(g)), tf.matMul(xn, w.up)) as tf.Tensor2D, w.down);
}

/** Query ranges [a, e) of `blocks` near-equal blocks over 0..T−1. */
function blockBounds(t: number, blocks: number): [number, number][] {
  return Array.from({ length: blocks }, (_, j) => [Math.round((j * t) / blocks), Math.round(((j + 1) * t) / blocks)] as [number, number]).filter(([a, e]) => e > a);
}

/** Bias [e−a, L+P+e] of own queries a..e−1 (absolute index q = P + a + i): keys L + (q − W, q] visible, the L alternatives never. */
function blockBias(lead: number, p: number, a: number, e: number, window: number | null): tf.Tensor2D {
  const s = lead + p + e;
  const bias = new Float32Array((e - a) * s).fill(MASKED);
  for (let i = 0; i < e - a; i++) {
    const q = p + a + i;
    const from = window === null ? 0 : Math.max(0, q - window + 1);
    bias.fill(0, i * s + lead + from, i * s + lead + q + 1);
  }
  return tf.tensor2d(bias, [e - a, s]);
}

/** Bias [B, 1, 1, S] of one query per row at absolute index pos[b] (keys L + (q − W, q]). */
function lastRowBias(pos: number[], lead: number, s: number, window: number | null): tf.Tensor4D {
  const bias = new Float32Array(pos.length * s).fill(MASKED);
  pos.forEach((q, r) => bias.fill(0, r * s + lead + (window === null ? 0 : Math.max(0, q - window + 1)), r * s + lead + q + 1));
  return tf.tensor4d(bias, [pos.length, 1, 1, s]);
}

/** Bias [B, 1, K, S] of the K alternatives per row (rotary position pos[b] + 1): themselves and the real keys up to pos[b] within the window. */
function altBias(pos: number[], k: number, s: number, window: number | null): tf.Tensor4D {
  const bias = new Float32Array(pos.length * k * s).fill(MASKED);
  pos.forEach((q, r) => {
    for (let a = 0; a < k; a++) {
      const row = (r * k + a) * s;
      bias[row + a] = 0;
      bias.fill(0, row + k + (window === null ? 0 : Math.max(0, q + 1 - window + 1)), row + k + q + 1);
    }
  });
  return tf.tensor4d(bias, [pos.length, 1, k, s]);
}
