/**
 * Rotary position embeddings (Su et al. 2021) in the Hugging Face "rotate-half" convention:
 * with x = [x₁, x₂] split at hd/2, RoPE(x, p) = x·cos(pθ) + [−x₂, x₁]·sin(pθ), where
 * θᵢ = rope_theta^(−2i/hd) and the angle vector is [pθ, pθ] (both halves share frequencies).
 * The cos/sin tables are built once per forward (per set of positions) and shared by all layers;
 * rotate-half is a product with a fixed signed permutation matrix R (exact: one ±1 per column),
 * which on wasm is cheaper than slicing the inner axis. Under a gradient tape RoPE is one node
 * whose backward is the inverse rotation: dx = dy·cos + (dy·sin)·Rᵀ.
 */
import * as tf from "@tensorflow/tfjs";
import { tapeActive } from "../kernels/matmul";

/** cos and sin of the rotation angles, [N, 1, hd] (broadcast over heads). */
export interface RopeTable {
  cos: tf.Tensor3D;
  sin: tf.Tensor3D;
}

/**
 * Tables for the positions of N rows. `scale` multiplies both (the queries' copy folds the
 * attention scale 1/√hd in here for free). Angles follow HF's float32 arithmetic.
 */
export function ropeTable(positions: ArrayLike<number>, headDim: number, theta: number, scale = 1): RopeTable {
  const n = positions.length;
  let maxPos = 0;
  for (let r = 0; r < n; r++) {
    if (!(Number.isInteger(positions[r]) && positions[r] >= 0)) throw new Error(`ropeTable: position ${positions[r]} (row ${r}) is not a non-negative integer`);
    maxPos = Math.max(maxPos, positions[r]);
  }
  const rows = hostRows(headDim, theta, scale, maxPos + 1);
  const cos = new Float32Array(n * headDim);
  const sin = new Float32Array(n * headDim);
  for (let r = 0; r < n; r++) {
    const at = positions[r] * headDim;
    cos.set(rows.cos.subarray(at, at + headDim), r * headDim);
    sin.set(rows.sin.subarray(at, at + headDim), r * headDim);
  }
  return { cos: tf.tensor3d(cos, [n, 1, headDim]), sin: tf.tensor3d(sin, [n, 1, headDim]) };
}

/** Host cos/sin rows of positions 0..count−1 per (hd, θ, scale), [count, hd] each; grown by doubling, memoised (a forward pass copies rows instead of calling cos/sin per entry). */
const hostTables = new Map<string, { count: number; cos: Float32Array; sin: Float32Array }>();

function hostRows(headDim: number, theta: number, scale: number, count: number): { cos: Float32Array; sin: Float32Array } {
  const key = `${headDim},${theta},${scale}`;
  const have = hostTables.get(key);
  if (have && have.count >= count) return have;
  const size = Math.max(count, 2 * (have?.count ?? 128));
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(theta, Math.fround((2 * i) / headDim));
  const cos = new Float32Array(size * headDim);
  const sin = new Float32Array(size * headDim);
  for (let p = 0; p < size; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]);
      const c = Math.cos(angle) * scale;
      const s = Math.sin(angle) * scale;
      cos[p * headDim + i] = cos[p * headDim + half + i] = c;
      sin[p * headDim + i] = sin[p * headDim + half + i] = s;
    }
  }
  const t = { count: size, cos, sin };
  hostTables.set(key, t);
  return t;
}

const rotations = new Map<number, { r: Float32Array; rT: Float32Array }>();

/**
 * R [hd, hd] with x·R = [−x₂, x₁], or Rᵀ (the backward pass), as a new tensor from host values
 * cached per size (hd² values uploaded per use: no tensor outlives a forward pass).
 */
export function rotateHalfMatrix(hd: number, transposed = false): tf.Tensor2D {
  let m = rotations.get(hd);
  if (!m) {
    const half = hd / 2;
    const r = new Float32Array(hd * hd);
    const rT = new Float32Array(hd * hd);
    for (let j = 0; j < half; j++) {
      r[(j + half) * hd + j] = -1; // out[j] = −x[j + hd/2]
      r[j * hd + (j + half)] = 1; // out[j + hd/2] = x[j]
      rT[j * hd + (j + half)] = -1;
      rT[(j + half) * hd + j] = 1;
    }
    m = { r, rT };
    rotations.set(hd, m);
  }
  return tf.tensor2d(transposed ? m.rT : m.r, [hd, hd]);
}

/** x [N, heads·hd] → the same with every head rotated by its row's angles. */
export function applyRope(x: tf.Tensor2D, heads: number, headDim: number, table: RopeTable): tf.Tensor2D {
  const n = x.shape[0];
  // v·cos + (v·M)·sin for v [N, heads, hd]; M = R forward, Rᵀ backward.
  const rotate = (v: tf.Tensor): tf.Tensor2D =>
    tf.tidy(() => {
      const rotated = tf.matMul(v.reshape([n * heads, headDim]) as tf.Tensor2D, rotateHalfMatrix(headDim, false)).reshape([n, heads, headDim]);
      return tf.add(tf.mul(v.reshape([n, heads, headDim]), table.cos), tf.mul(rotated, table.sin)).reshape([n, heads * headDim]) as tf.Tensor2D;
    });
  if (!tapeActive()) return rotate(x);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([table.cos, table.sin]); // the tables die with the forward pass's scope; the tape keeps copies
    return {
      value: rotate(xx),
      gradFunc: (dy: tf.Tensor, [cos, sin]: tf.Tensor[]) =>
        tf.tidy(() => {
          const d = dy.reshape([n, heads, headDim]);
          const back = tf.matMul(tf.mul(d, sin).reshape([n * heads, headDim]) as tf.Tensor2D, rotateHalfMatrix(headDim, true)).reshape([n, heads, headDim]);
          return [tf.add(tf.mul(d, cos), back).reshape([n, heads * headDim])];
        }),
    };
  });
  return f(x) as tf.Tensor2D;
}
