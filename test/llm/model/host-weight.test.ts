/**
 * Low-memory weights in column blocks: forward x·W and the backward dX = dY·Wᵀ against host
 * triple loops in float64 over the same bf16-rounded W, with blocks forced small enough that
 * W splits into three (the last one ragged), and with one block.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { HostWeight } from "../../../lib/llm/model/host-weight";
import { bf16ToF32, f32ToBf16 } from "../../../lib/llm/io/half";
import { Rng } from "../../../lib/util/rng";
import { useWasm } from "../../support/backend";

before(useWasm);

function check(n: number, inF: number, outF: number, blockValues: number, blocks: number): void {
  const rng = new Rng(7);
  const wOI = new Float32Array(outF * inF).map(() => rng.normal());
  const bits = f32ToBf16(wOI);
  const w = bf16ToF32(bits); // the values the layer really holds, [out, in]
  const x = new Float32Array(n * inF).map(() => rng.normal());
  const g = new Float32Array(n * outF).map(() => rng.normal()); // upstream gradient dY
  const hw = new HostWeight(bits, inF, outF, blockValues);
  assert.equal(hw.blockCount, blocks);
  const xt = tf.tensor2d(x, [n, inF]);
  const gt = tf.tensor2d(g, [n, outF]);
  const xv = tf.variable(xt);
  // loss = Σ y ⊙ dY, so d loss / dx = dY · Wᵀ
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(hw.matMul(xv), gt)) as tf.Scalar, [xv]);
  const y = tf.tidy(() => hw.matMul(xt)).dataSync();
  const dx = grads[xv.name].dataSync();
  value.dispose();
  let worstY = 0;
  let worstDx = 0;
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < outF; o++) {
      let s = 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      worstY = Math.max(worstY, Math.abs(s - y[r * outF + o]) / (1 + Math.abs(s)));
    }
    for (let i = 0; i < inF; i++) {
      let s = 0;
      for (let o = 0; o < outF; o++) s += g[r * outF + o] * w[o * inF + i];
      worstDx = Math.max(worstDx, Math.abs(s - dx[r * inF + i]) / (1 + Math.abs(s)));
    }
  }
  assert.ok(worstY < 1e-4, `forward: max relative error ${worstY}`);
  assert.ok(worstDx < 1e-4, `backward: max relative error ${worstDx}`);
  assert.deepEqual(Array.from(hw.toTensorIO().dataSync()).slice(0, 3), [w[0], w[inF], w[2 * inF]]); // W[0, 0..2] in [in, out]
}

test("three column blocks (ragged last) give x·W and dY·Wᵀ", () => {
  // 64 columns per block (the minimum): out = 150 → blocks of 64, 64, 22
  check(5, 40, 150, 40 * 64, 3);
});

test("one block when W fits", () => {
  check(4, 32, 48, 1 << 20, 1);
});
