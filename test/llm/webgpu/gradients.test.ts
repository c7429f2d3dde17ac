/**
 * The training path's gradients on the webgpu backend: every hand-written gradient against tfjs's
 * automatic differentiation of the plain formula (as test/llm/model/gradients.test.ts does on
 * wasm), then LoRA and fusion-path gradients of the whole decoder against central finite
 * differences (as test/llm/adapters/lora.test.ts and test/llm/model/decoder.test.ts do on wasm).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { applyLora, selectPositions } from "../../../lib/llm";
import { attendGroups } from "../../../lib/llm/model/attention";
import { bmm, frozenMatMul, mm } from "../../../lib/llm/kernels/matmul";
import { loraBranch } from "../../../lib/llm/model/linear";
import { swiglu } from "../../../lib/llm/model/mlp";
import { rmsNorm } from "../../../lib/llm/model/rmsnorm";
import { applyRope, ropeTable } from "../../../lib/llm/model/rope";
import { maxAbsDiff, randomModel, TINY_MISTRAL } from "../support";
import { adapterName, onWebGpu } from "./support";

/** Hand-written vs autodiff gradients, relative to the largest reference entry (wasm meets 1e-4; llvmpipe measured ≤ 1e-6). */
const GRAD_TOL = 1e-4;
/** Values of the hand-written forward vs the plain formula (wasm meets 1e-5). */
const VALUE_TOL = 1e-5;

let seed = 1;
const rand = (shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, "float32", seed++);
let worst = 0;

async function compareGrads(inputs: tf.Tensor[], f: (...x: tf.Tensor[]) => tf.Tensor, ref: (...x: tf.Tensor[]) => tf.Tensor, label: string): Promise<void> {
  const w = tf.tidy(() => rand(ref(...inputs).shape));
  const loss = (g: (...x: tf.Tensor[]) => tf.Tensor) => (...x: tf.Tensor[]) => tf.sum(tf.mul(g(...x), w)) as tf.Scalar;
  const ours = tf.grads(loss(f))(inputs);
  const want = tf.grads(loss(ref))(inputs);
  for (let i = 0; i < ours.length; i++) {
    const wv = await want[i].array();
    const scale = Math.max(1, ...(await want[i].abs().data()));
    const d = maxAbsDiff(await ours[i].array(), wv);
    worst = Math.max(worst, d / scale);
    assert.ok(d < GRAD_TOL * scale, `${label}: gradient ${i} differs by ${d}`);
  }
  const vo = f(...inputs), vr = ref(...inputs);
  const dv = maxAbsDiff(await vo.array(), await vr.array());
  assert.ok(dv < VALUE_TOL, `${label}: values differ by ${dv}`);
  tf.dispose([w, ...ours, ...want, vo, vr]);
}

test("webgpu: hand-written gradients (mm, frozenMatMul, LoRA branch, bmm, RMSNorm, SwiGLU, RoPE, attention, position selection)", async (t) => {
  if (!(await onWebGpu(t))) return;
  const a = rand([6, 5]) as tf.Tensor2D, b = rand([5, 7]) as tf.Tensor2D;
  await compareGrads([a, b], (x, y) => mm(x as tf.Tensor2D, y as tf.Tensor2D), (x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), "mm");
  const bT = tf.transpose(b) as tf.Tensor2D;
  await compareGrads([a], (x) => frozenMatMul(x as tf.Tensor2D, b, bT), (x) => tf.matMul(x as tf.Tensor2D, b), "frozenMatMul");
  const x = rand([6, 5]) as tf.Tensor2D, la = rand([5, 2]) as tf.Tensor2D, lb = rand([2, 7]) as tf.Tensor2D;
  await compareGrads([x, la, lb], (p, q, r) => loraBranch(p as tf.Tensor2D, q as tf.Tensor2D, r as tf.Tensor2D, 1.5), (p, q, r) => tf.mul(tf.matMul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), r as tf.Tensor2D), 1.5), "loraBranch");
  for (const [g, m, k, n] of [[3, 40, 48, 40], [3, 2, 3, 4]]) {
    const p = rand([g, m, k]) as tf.Tensor3D, q = rand([g, k, n]) as tf.Tensor3D;
    await compareGrads([p, q], (u, v) => bmm(u as tf.Tensor3D, v as tf.Tensor3D), (u, v) => tf.matMul(u as tf.Tensor3D, v as tf.Tensor3D), `bmm ${[g, m, k, n]}`);
  }
  const xn = rand([5, 8]) as tf.Tensor2D, gain = rand([8]) as tf.Tensor1D;
  await compareGrads([xn], (v) => rmsNorm(v as tf.Tensor2D, gain, 1e-5), (v) => tf.mul(tf.div(v, tf.sqrt(tf.add(tf.mean(tf.mul(v, v), 1, true), 1e-5))), gain), "rmsNorm");
  const gg = rand([4, 6]) as tf.Tensor2D, uu = rand([4, 6]) as tf.Tensor2D;
  await compareGrads([gg, uu], (p, q) => swiglu(p as tf.Tensor2D, q as tf.Tensor2D), (p, q) => tf.mul(tf.div(p, tf.add(1, tf.exp(tf.neg(p)))), q), "swiglu");
  const heads = 3, hd = 8, nr = 5;
  const table = ropeTable([0, 3, 7, 1, 12], hd, 10000, 0.7);
  const xr = rand([nr, heads * hd]) as tf.Tensor2D;
  const rotateHalf = (v: tf.Tensor): tf.Tensor => tf.concat([tf.neg(tf.slice(v, [0, 0, hd / 2], [-1, -1, hd / 2])), tf.slice(v, [0, 0, 0], [-1, -1, hd / 2])], 2);
  await compareGrads([xr], (v) => applyRope(v as tf.Tensor2D, heads, hd, table), (v) => {
    const v3 = v.reshape([nr, heads, hd]);
    return tf.add(tf.mul(v3, table.cos), tf.mul(rotateHalf(v3), table.sin)).reshape([nr, heads * hd]);
  }, "rope");
  const bs = 2, kv = 2, rep = 2, tq = 5, s = 5, hdim = 4, groups = bs * kv;
  const q = rand([groups, rep * tq, hdim]) as tf.Tensor3D, kT = rand([groups, hdim, s]) as tf.Tensor3D, v = rand([groups, s, hdim]) as tf.Tensor3D;
  const biasData = new Float32Array(bs * tq * s);
  for (let i = 0; i < tq; i++) for (let j = 0; j < s; j++) if (j > i) biasData[i * s + j] = biasData[(tq + i) * s + j] = -1e9;
  biasData[(tq + 2) * s + 0] = -1e9;
  const bias = tf.tensor(biasData, [bs, 1, 1, tq, s]);
  const shape = [bs, kv, rep, tq, s];
  await compareGrads([q, kT, v], (p, r, z) => attendGroups(p as tf.Tensor3D, r as tf.Tensor3D, z as tf.Tensor3D, bias, shape),
    (p, r, z) => tf.matMul(tf.softmax(tf.add(tf.matMul(p as tf.Tensor3D, r as tf.Tensor3D).reshape(shape), bias)).reshape([groups, rep * tq, s]) as tf.Tensor3D, z as tf.Tensor3D), "attention");
  const h = rand([2, 4, 3]) as tf.Tensor3D;
  const onehot = tf.oneHot(tf.tensor1d([1, 3, 4, 7], "int32"), 8).toFloat() as tf.Tensor2D;
  await compareGrads([h], (u) => selectPositions(u as tf.Tensor3D, [[1, 3], [0, 3]]), (u) => tf.matMul(onehot, u.reshape([8, 3]) as tf.Tensor2D).reshape([2, 2, 3]), "selectPositions");
  t.diagnostic(`${adapterName()}: worst relative gradient difference ${worst.toExponential(2)}`);
});

const scalar = async (x: tf.Scalar): Promise<number> => {
  const v = (await x.data())[0];
  x.dispose();
  return v;
};

test("webgpu: LoRA gradients through a padded batch match central finite differences", async (t) => {
  if (!(await onWebGpu(t))) return;
  const model = randomModel(TINY_MISTRAL, 11);
  const adapter = applyLora(model, { r: 2, alpha: 4, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], seed: 1 });
  try {
    for (const m of adapter.modules) m.lora!.b.assign(tf.randomNormal(m.lora!.b.shape, 0, 0.1, "float32", 9));
    const mask = [Array(10).fill(1), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]];
    const x = tf.tensor2d([[1, 17, 33, 5, 61, 8, 90, 42, 11, 3], [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]], undefined, "int32");
    const loss = (): tf.Scalar => tf.tidy(() => tf.mean(tf.square(model.forward(x, { attentionMask: mask, positions: [[8, 9], [8, 9]] }))) as tf.Scalar);
    const vars = adapter.variables();
    const { value, grads } = tf.variableGrads(loss, vars);
    for (const v of vars) {
      const g = await grads[v.name].data();
      assert.ok(g.every(Number.isFinite) && g.some((e) => e !== 0), `gradient of ${v.name} is zero or not finite`);
    }
    const report: string[] = [];
    for (const v of [vars[0], vars[vars.length - 1]]) {
      const eps = 1e-2;
      const orig = v.clone();
      const delta = tf.tidy(() => tf.oneHot(tf.tensor1d([1], "int32"), v.size).reshape(v.shape).mul(eps));
      v.assign(orig.add(delta));
      const up = await scalar(loss());
      v.assign(orig.sub(delta));
      const down = await scalar(loss());
      v.assign(orig);
      const numeric = (up - down) / (2 * eps);
      const analytic = (await grads[v.name].data())[1];
      report.push(`${v.name}: ${analytic.toPrecision(6)} vs ${numeric.toPrecision(6)}`);
      // Same bound as on wasm: 2% (float32 central differences with a 1e-2 step).
      assert.ok(Math.abs(numeric - analytic) <= 2e-2 * Math.abs(analytic) + 1e-5, `${v.name}: analytic ${analytic} vs numeric ${numeric}`);
      tf.dispose([orig, delta]);
    }
    t.diagnostic(`${adapterName()}: analytic vs numeric ${report.join("; ")}`);
    tf.dispose([value, x, ...Object.values(grads)]);
  } finally {
    adapter.dispose();
    model.dispose();
  }
});

test("webgpu: the gradient of a vector added to the input embeddings (the fusion path) matches finite differences", async (t) => {
  if (!(await onWebGpu(t))) return;
  const m = randomModel(TINY_MISTRAL, 9);
  try {
    const d = TINY_MISTRAL.hiddenSize;
    const ids = tf.tensor2d([[1, 5, 9, 13, 17, 21], [0, 0, 4, 8, 12, 16]], undefined, "int32");
    const base = m.embed(ids);
    const shift = tf.variable(tf.zeros([d]));
    const loss = () => tf.tidy(() => tf.sum(m.forward(ids, { inputsEmbeds: tf.add(base, shift) as tf.Tensor3D, attentionMask: [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]], positions: "last" }).slice([0, 0, 7], [2, 1, 1])) as tf.Scalar);
    const { value, grads } = tf.variableGrads(loss, [shift]);
    const g = await grads[shift.name].data();
    const eps = 1e-3;
    const unit = (s: number) => tf.tidy(() => tf.oneHot(tf.tensor1d([3], "int32"), d).reshape([d]).mul(s));
    shift.assign(unit(eps));
    const up = await scalar(loss());
    shift.assign(unit(-eps));
    const down = await scalar(loss());
    const numeric = (up - down) / (2 * eps);
    t.diagnostic(`${adapterName()}: analytic ${g[3].toPrecision(6)} vs numeric ${numeric.toPrecision(6)}`);
    assert.ok(Math.abs(numeric - g[3]) < 5e-2 * Math.abs(g[3]) + 1e-4, `analytic ${g[3]} vs numeric ${numeric}`);
    tf.dispose([value, shift, base, ids, ...Object.values(grads)]);
  } finally {
    m.dispose();
  }
});
