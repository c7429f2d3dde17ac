/**
 * The extra wasm kernels: the grouped product against a host triple loop (shapes as the
 * attention's groups and a ragged one), and the aliasing Identity/Cast keep tensors independent
 * under disposal (a clone outlives its source; a variable assigned from a clone is unaffected).
 */
import { test, before } from "node:test";
import { skipOrFail } from "../../support/shared";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/llm";
import { groupMatMul, hasGroupMatMul } from "../../../lib/llm/kernels/wasm";
import { Rng } from "../../../lib/util/rng";

let wasm = false;
before(async () => {
  wasm = (await initBackend("wasm")) === "wasm";
});

function hostGroupProduct(a: Float32Array, b: Float32Array, g: number, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(g * m * n);
  for (let i = 0; i < g; i++)
    for (let r = 0; r < m; r++)
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += a[(i * m + r) * k + j] * b[(i * k + j) * n + c];
        out[(i * m + r) * n + c] = s;
      }
  return out;
}

test("groupMatMul equals per-group products computed on the host", (t) => {
  if (!wasm) return skipOrFail(t, "wasm backend unavailable");
  assert.ok(hasGroupMatMul());
  const rng = new Rng(4);
  for (const [g, m, k, n] of [[16, 256, 32, 128], [3, 17, 5, 9], [2, 64, 128, 32]]) {
    const a = Float32Array.from({ length: g * m * k }, () => rng.normal());
    const b = Float32Array.from({ length: g * k * n }, () => rng.normal());
    const want = hostGroupProduct(a, b, g, m, k, n);
    const got = tf.tidy(() => groupMatMul(tf.tensor3d(a, [g, m, k]), tf.tensor3d(b, [g, k, n])).dataSync());
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
    assert.ok(worst < 1e-4, `[${g},${m},${k}]·[${g},${k},${n}]: relative error ${worst}`);
  }
});

test("aliasing Identity and Cast: copies stay valid and independent after disposals", (t) => {
  if (!wasm) return skipOrFail(t, "wasm backend unavailable");
  const x = tf.tensor1d([1, 2, 3]);
  const c = x.clone();
  const f = tf.cast(x, "float32");
  const v = tf.variable(c.clone());
  x.dispose();
  assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
  assert.deepEqual(Array.from(f.dataSync()), [1, 2, 3]);
  c.dispose();
  v.assign(tf.tensor1d([7, 8, 9]));
  assert.deepEqual(Array.from(f.dataSync()), [1, 2, 3]);
  assert.deepEqual(Array.from(v.dataSync()), [7, 8, 9]);
  assert.deepEqual(Array.from(tf.cast(tf.tensor1d([1.7, -2.2]), "int32").dataSync()), [1, -2], "a real cast still converts");
  f.dispose();
  v.dispose();
});
