/**
 * Every hand-written gradient of the training path against tfjs's automatic differentiation of
 * the plain formula (written here from the definitions, with stock tfjs ops) on this backend.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend, selectPositions } from "../../../lib/llm";
import { attendGroups } from "../../../lib/llm/model/attention";
import { bmm, frozenMatMul, mm } from "../../../lib/llm/kernels/matmul";
import { loraBranch } from "../../../lib/llm/model/linear";
import { swiglu } from "../../../lib/llm/model/mlp";
import { rmsNorm } from "../../../lib/llm/model/rmsnorm";
import { applyRope, ropeTable } from "../../../lib/llm/model/rope";
import { maxAbsDiff } from "../support";

before(async () => {
  await initBackend();
});

let seed = 1;
const rand = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, "float32", seed++);

/** Gradients of Σ w ⊙ f(inputs) for a random weighting w, for f and its reference. */
function compareGrads(inputs: tf.Tensor[], f: (...x: tf.Tensor[]) => tf.Tensor, ref: (...x: tf.Tensor[]) => tf.Tensor, label: string): void {
  const w = tf.tidy(() => rand(ref(...inputs).shape));
  const loss = (g: (...x: tf.Tensor[]) => tf.Tensor) => (...x: tf.Tensor[]) => tf.sum(tf.mul(g(...x), w)) as tf.Scalar;
  const ours = tf.grads(loss(f))(inputs);
  const want = tf.grads(loss(ref))(inputs);
  ours.forEach((g, i) => {
    const scale = Math.max(1, ...Array.from(want[i].abs().dataSync()));
    const d = maxAbsDiff(g.arraySync(), want[i].arraySync());
    assert.ok(d < 1e-4 * scale, `${label}: gradient ${i} differs by ${d}`);
  });
  const vo = f(...inputs), vr = ref(...inputs);
  assert.ok(maxAbsDiff(vo.arraySync(), vr.arraySync()) < 1e-5, `${label}: values differ`);
  tf.dispose([w, ...ours, ...want, vo, vr]);
}

test("matrix products: mm, frozenMatMul, LoRA branch, bmm (split and batched)", () => {
  const a = rand([6, 5]) as tf.Tensor2D, b = rand([5, 7]) as tf.Tensor2D;
  compareGrads([a, b], (x, y) => mm(x as tf.Tensor2D, y as tf.Tensor2D), (x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), "mm");
  const bT = tf.transpose(b) as tf.Tensor2D; // kept beside W, as Linear does
  compareGrads([a], (x) => frozenMatMul(x as tf.Tensor2D, b, bT), (x) => tf.matMul(x as tf.Tensor2D, b), "frozenMatMul");
  compareGrads([a], (x) => frozenMatMul(x as tf.Tensor2D, b), (x) => tf.matMul(x as tf.Tensor2D, b), "frozenMatMul without Wᵀ");
  const x = rand([6, 5]) as tf.Tensor2D, la = rand([5, 2]) as tf.Tensor2D, lb = rand([2, 7]) as tf.Tensor2D;
  compareGrads([x, la, lb], (p, q, r) => loraBranch(p as tf.Tensor2D, q as tf.Tensor2D, r as tf.Tensor2D, 1.5), (p, q, r) => tf.mul(tf.matMul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), r as tf.Tensor2D), 1.5), "loraBranch");
  for (const dims of [[3, 40, 48, 40], [3, 2, 3, 4]]) {
    const [g, m, k, n] = dims;
    const p = rand([g, m, k]) as tf.Tensor3D, q = rand([g, k, n]) as tf.Tensor3D;
    compareGrads([p, q], (x, y) => bmm(x as tf.Tensor3D, y as tf.Tensor3D), (x, y) => tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D), `bmm ${dims}`);
  }
});

test("RMSNorm, SwiGLU, RoPE", () => {
  const x = rand([5, 8]) as tf.Tensor2D, gain = rand([8]) as tf.Tensor1D;
  compareGrads([x], (v) => rmsNorm(v as tf.Tensor2D, gain, 1e-5), (v) => tf.mul(tf.div(v, tf.sqrt(tf.add(tf.mean(tf.mul(v, v), 1, true), 1e-5))), gain), "rmsNorm");
  const g = rand([4, 6]) as tf.Tensor2D, u = rand([4, 6]) as tf.Tensor2D;
  compareGrads([g, u], (a, b) => swiglu(a as tf.Tensor2D, b as tf.Tensor2D), (a, b) => tf.mul(tf.div(a, tf.add(1, tf.exp(tf.neg(a)))), b), "swiglu");
  const heads = 3, hd = 8, n = 5;
  const table = ropeTable([0, 3, 7, 1, 12], hd, 10000, 0.7);
  const xr = rand([n, heads * hd]) as tf.Tensor2D;
  const rotateHalf = (v: tf.Tensor): tf.Tensor => tf.concat([tf.neg(tf.slice(v, [0, 0, hd / 2], [-1, -1, hd / 2])), tf.slice(v, [0, 0, 0], [-1, -1, hd / 2])], 2);
  compareGrads(
    [xr],
    (v) => applyRope(v as tf.Tensor2D, heads, hd, table),
    (v) => {
      const v3 = v.reshape([n, heads, hd]);
      return tf.add(tf.mul(v3, table.cos), tf.mul(rotateHalf(v3), table.sin)).reshape([n, heads * hd]);
    },
    "rope",
  );
  tf.dispose([table.cos, table.sin]);
});

test("attention core (grouped queries, masked) and position selection", () => {
  const b = 2, kv = 2, rep = 2, t = 5, s = 5, hd = 4, g = b * kv;
  const q = rand([g, rep * t, hd]) as tf.Tensor3D, kT = rand([g, hd, s]) as tf.Tensor3D, v = rand([g, s, hd]) as tf.Tensor3D;
  const biasData = new Float32Array(b * t * s);
  for (let i = 0; i < t; i++) for (let j = 0; j < s; j++) if (j > i) biasData[i * s + j] = biasData[(t + i) * s + j] = -1e9;
  biasData[(t + 2) * s + 0] = -1e9; // a padded key in row 1
  const bias = tf.tensor(biasData, [b, 1, 1, t, s]);
  const shape = [b, kv, rep, t, s];
  compareGrads(
    [q, kT, v],
    (x, y, z) => attendGroups(x as tf.Tensor3D, y as tf.Tensor3D, z as tf.Tensor3D, bias, shape),
    (x, y, z) => tf.matMul(tf.softmax(tf.add(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D).reshape(shape), bias)).reshape([g, rep * t, s]) as tf.Tensor3D, z as tf.Tensor3D),
    "attention",
  );
  const h = rand([2, 4, 3]) as tf.Tensor3D;
  const rows = [[1, 3], [0, 3]];
  const onehot = tf.oneHot(tf.tensor1d([1, 3, 4, 7], "int32"), 8).toFloat() as tf.Tensor2D;
  compareGrads([h], (x) => selectPositions(x as tf.Tensor3D, rows), (x) => tf.matMul(onehot, x.reshape([8, 3]) as tf.Tensor2D).reshape([2, 2, 3]), "selectPositions");
});
