/**
 * A prompt prefix shared by many sequences (BOS, `[INST]`, the instruction, ...), run through the
 * decoder once: its keys and values [1, P, kvHeads·hd] per layer, handed out as a KV cache of B
 * identical rows for a batch that continues with each sequence's own tokens. Exact: a token's
 * keys and values depend only on the tokens before it.
 */
import * as tf from "@tensorflow/tfjs";
import type { LM } from "./decoder";
import { KVCache } from "./kv-cache";

/** Length of the longest prefix common to every sequence (0 for none or an empty list). */
export function sharedPrefixLength(seqs: ArrayLike<number>[]): number {
  if (seqs.length === 0) return 0;
  let n = seqs[0].length;
  for (const s of seqs) {
    let k = 0;
    while (k < n && k < s.length && s[k] === seqs[0][k]) k++;
    n = k;
  }
  return n;
}

export class PrefixCache {
  /** The prefix's token ids. */
  readonly ids: number[];
  private readonly one: KVCache;
  /** Per layer, the rows handed out last by layer(). */
  private readonly tiled = new Map<number, { rows: number; k: tf.Tensor3D; v: tf.Tensor3D }>();

  /** Runs `ids` (P ≥ 1 tokens, no padding) through `model` into a one-row cache. */
  constructor(model: LM, ids: number[]) {
    if (ids.length === 0) throw new Error("PrefixCache: the prefix must have at least one token");
    this.ids = ids;
    this.one = new KVCache(model.config.numLayers);
    // Only the cache is wanted: the last layer's queries, MLP and head run for one position.
    tf.tidy(() => {
      model.hidden(tf.tensor2d(ids, [1, ids.length], "int32"), { cache: this.one, positions: "last", training: false });
    });
  }

  get length(): number {
    return this.ids.length;
  }

  /** Layer `i`'s keys (rotated) and values repeated for `rows` rows, [rows, P, kvHeads·hd]; owned by this cache, kept for the last row count asked. */
  layer(i: number, rows: number): { k: tf.Tensor3D; v: tf.Tensor3D } {
    const c = this.one.layers[i];
    if (!c.k || !c.v) throw new Error(`PrefixCache: no keys for layer ${i}`);
    if (rows === 1) return { k: c.k, v: c.v };
    let have = this.tiled.get(i);
    if (!have || have.rows !== rows) {
      if (have) tf.dispose([have.k, have.v]);
      const rep = (x: tf.Tensor3D): tf.Tensor3D => tf.keep(tf.concat(new Array<tf.Tensor3D>(rows).fill(x), 0) as tf.Tensor3D);
      have = { rows, k: rep(c.k), v: rep(c.v) };
      this.tiled.set(i, have);
    }
    return { k: have.k, v: have.v };
  }

  /** A new cache of `rows` copies of the prefix (the caller disposes it). */
  forRows(rows: number): KVCache {
    return this.one.copyRows(rows);
  }

  dispose(): void {
    for (const t of this.tiled.values()) tf.dispose([t.k, t.v]);
    this.tiled.clear();
    this.one.dispose();
  }
}
