/**
 * The key/value cache for incremental decoding: for every layer the rotated keys and the values
 * of all positions seen so far, [B, S, kvHeads·hd], plus which of those positions are real
 * tokens (left padding) and the next rotary position of each row.
 */
import * as tf from "@tensorflow/tfjs";

export interface LayerCache {
  k: tf.Tensor3D | undefined;
  v: tf.Tensor3D | undefined;
}

export class KVCache {
  readonly layers: LayerCache[];
  /** Per row, 1 for a real token and 0 for padding, over the S cached positions. */
  keyMask: Uint8Array[] = [];
  /** Per row, the rotary position the next real token gets. */
  nextPosition: number[] = [];
  /** Number of cached positions S. */
  length = 0;

  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => ({ k: undefined, v: undefined }));
  }

  /** Appends this step's keys and values [B, T, kvHeads·hd] of one layer; returns all [B, S+T, …]. */
  append(layer: number, k: tf.Tensor3D, v: tf.Tensor3D): { k: tf.Tensor3D; v: tf.Tensor3D } {
    const c = this.layers[layer];
    const allK = c.k ? (tf.concat([c.k, k], 1) as tf.Tensor3D) : k;
    const allV = c.v ? (tf.concat([c.v, v], 1) as tf.Tensor3D) : v;
    c.k?.dispose();
    c.v?.dispose();
    // The cache outlives the caller's tidy scope; clone so the returned tensors stay tidy-owned.
    c.k = tf.keep(allK.clone());
    c.v = tf.keep(allV.clone());
    return { k: allK, v: allV };
  }

  /** Repeats every row `times` times as whole blocks (rows 0..B−1, then 0..B−1 again, ...), in place. */
  tileRows(times: number): void {
    for (const c of this.layers) {
      if (!c.k || !c.v) continue;
      const k = c.k;
      const v = c.v;
      c.k = tf.keep(repeatBlocks(k, times));
      c.v = tf.keep(repeatBlocks(v, times));
      k.dispose();
      v.dispose();
    }
    const n = this.nextPosition.length;
    this.keyMask = Array.from({ length: n * times }, (_, i) => this.keyMask[i % n]);
    this.nextPosition = Array.from({ length: n * times }, (_, i) => this.nextPosition[i % n]);
  }

  /** A new cache holding `times` block copies of this one's rows (this cache is unchanged). */
  copyRows(times: number): KVCache {
    const out = new KVCache(this.layers.length);
    this.layers.forEach((c, i) => {
      if (!c.k || !c.v) return;
      out.layers[i].k = tf.keep(repeatBlocks(c.k, times));
      out.layers[i].v = tf.keep(repeatBlocks(c.v, times));
    });
    const n = this.nextPosition.length;
    out.keyMask = Array.from({ length: n * times }, (_, i) => Uint8Array.from(this.keyMask[i % n]));
    out.nextPosition = Array.from({ length: n * times }, (_, i) => this.nextPosition[i % n]);
    out.length = this.length;
    return out;
  }

  dispose(): void {
    for (const c of this.layers) {
      c.k?.dispose();
      c.v?.dispose();
      c.k = c.v = undefined;
    }
    this.keyMask = [];
    this.nextPosition = [];
    this.length = 0;
  }
}

/** x [B, S, C] → [times·B, S, C], whole blocks (a concat: wasm's Tile kernel is ~50× slower). */
function repeatBlocks(x: tf.Tensor3D, times: number): tf.Tensor3D {
  return times === 1 ? x.clone() : (tf.concat(new Array<tf.Tensor3D>(times).fill(x), 0) as tf.Tensor3D);
}
