/**
 * bfloat16 → float32 expansion of low-memory weights: hand-derived bit patterns on the wasm kernel
 * (written straight into the heap) and on the portable path, and a bf16 checkpoint loaded in
 * low-memory mode (bits taken as stored, never float32 on the host) giving the same logits as the
 * same file loaded resident.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { expandBf16 } from "../../../lib/llm/kernels/expand-bf16";
import { loadModel, saveModel } from "../../../lib/llm";
import { useWasm } from "../../support/backend";
import { randomModel, tempDir, TINY_MISTRAL } from "../support";

before(useWasm);

// bf16 is the top half of a float32: 1 = 0x3F80, −2.5 = 0xC020, 0.15625 = 2^-3·1.25 = 0x3E20,
// the smallest normal 2^-126 = 0x0080, +∞ = 0x7F80.
const BITS = new Uint16Array([0x3f80, 0xc020, 0x3e20, 0x0080, 0x7f80, 0x0000]);
const VALUES = [1, -2.5, 0.15625, 2 ** -126, Infinity, 0];

test("expandBf16 writes hand-derived float32 values (wasm kernel and portable path)", async () => {
  const t = expandBf16(BITS, 2, 3);
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(Array.from(await t.data()), VALUES);
  t.dispose();
  // The same through the portable path: a backend without the kernel (cpu) gets a host copy.
  await tf.setBackend("cpu");
  try {
    const c = expandBf16(BITS, 3, 2);
    assert.deepEqual(Array.from(await c.data()), VALUES);
    c.dispose();
  } finally {
    await tf.setBackend("wasm");
  }
  assert.throws(() => expandBf16(BITS, 4, 2), /6 values for \[4, 2\]/);
});

test("a bf16 checkpoint loads in low-memory mode with the logits of a resident load", async () => {
  const dir = tempDir("bf16-lowmem");
  const m = randomModel(TINY_MISTRAL, 11);
  saveModel(m, dir, undefined, { dtype: "BF16" });
  const resident = await loadModel(dir, { log: null });
  const low = await loadModel(dir, { lowMemory: true, log: null });
  const ids = tf.tensor2d([[1, 5, 9, 33, 2, 17]], [1, 6], "int32");
  const a = await resident.forward(ids).data();
  const b = await low.forward(ids).data();
  // Same bf16 values on both sides; only the summation order of products may differ.
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst < 1e-4, `max |Δlogit| = ${worst}`);
});
