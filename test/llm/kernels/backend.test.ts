/**
 * Backend choice: the npm alias node_modules/@tensorflow/tfjs-node → plain tfjs must not be
 * taken for the native TensorFlow backend.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/llm/kernels/backend";
import { REPO_ROOT } from "../../support/shared";

test("initBackend picks a working backend and never mistakes the tfjs-node alias for native", async () => {
  const name = await initBackend();
  assert.ok(["webgpu", "tensorflow", "wasm", "cpu"].includes(name));
  assert.equal(tf.getBackend(), name);
  assert.equal(await initBackend(), name, "chosen once per process");
  const pkg = path.join(REPO_ROOT, "node_modules/@tensorflow/tfjs-node/package.json");
  const alias = fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "@tensorflow/tfjs";
  const gpu = fs.existsSync(path.join(REPO_ROOT, "node_modules/@tensorflow/tfjs-node-gpu"));
  if (alias && !gpu && !process.env.HEPLLM_BACKEND) assert.equal(name, "wasm");
  // The replaced wasm slice kernels give the same values as a host-side slice.
  const x = tf.tensor3d(Array.from({ length: 60 }, (_, i) => i), [3, 4, 5]);
  assert.deepEqual(tf.slice(x, [1, 1, 2], [2, 2, 3]).arraySync(), [[[27, 28, 29], [32, 33, 34]], [[47, 48, 49], [52, 53, 54]]]);
  assert.deepEqual((tf.unstack(x, 1)[2].arraySync() as number[][])[1], [30, 31, 32, 33, 34]);
  assert.deepEqual((tf.split(x, [2, 3], 2)[1].arraySync() as number[][][])[2][3], [57, 58, 59]);
  x.dispose();
});
