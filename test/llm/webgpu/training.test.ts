/**
 * Training on the webgpu backend reproduces training on wasm: the same 20 LoRA + fusion steps
 * (test/llm/webgpu/train-steps.ts: production classifier, loss, AdamW, gradient clipping) run
 * here on webgpu and in a child process on wasm, the independent reference whose kernels the
 * wasm conformance tests check against PyTorch and finite differences.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { STEPS, StepsResult, trainSteps } from "./train-steps";
import { adapterName, onWebGpu } from "./support";

/** Per-step loss, relative (llvmpipe vs wasm measured ≤ 2e-6). */
const LOSS_TOL = 1e-4;
/** Trained weights after 20 Adam steps, absolute (weights are O(0.1); measured 2.3e-6). */
const PARAM_TOL = 1e-3;
/** P(signal) after training, absolute (measured ≤ 1e-6). */
const SCORE_TOL = 1e-4;

test(`webgpu: ${STEPS} LoRA + fusion training steps, scoring and the checkpoint, and the MLP baseline, match the same on wasm`, async (t) => {
  if (!(await onWebGpu(t))) return;
  const child = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "train-steps.ts")], {
    encoding: "utf8",
    env: { ...process.env, HEPLLM_QUIET_BACKEND: "1" },
    maxBuffer: 64 << 20,
  });
  assert.equal(child.status, 0, `the wasm run failed: ${child.stderr}`);
  const wasm = JSON.parse(child.stdout) as StepsResult;
  assert.equal(wasm.backend, "wasm");
  const gpu = await trainSteps();
  assert.equal(gpu.backend, "webgpu");
  let lossRel = 0;
  gpu.losses.forEach((l, i) => (lossRel = Math.max(lossRel, Math.abs(l - wasm.losses[i]) / Math.abs(wasm.losses[i]))));
  assert.equal(gpu.params.length, wasm.params.length);
  let paramAbs = 0;
  gpu.params.forEach((p, i) => (paramAbs = Math.max(paramAbs, Math.abs(p - wasm.params[i]))));
  t.diagnostic(`${adapterName()}: losses ${wasm.losses[0].toFixed(4)} → ${wasm.losses[STEPS - 1].toFixed(4)} (wasm); max relative loss difference ${lossRel.toExponential(2)}, max |Δ weight| ${paramAbs.toExponential(2)} over ${gpu.params.length} weights`);
  assert.ok(wasm.losses[STEPS - 1] < wasm.losses[0], "the steps train (the loss falls)");
  assert.ok(lossRel < LOSS_TOL, `losses differ by ${lossRel} (relative)`);
  assert.ok(paramAbs < PARAM_TOL, `weights differ by ${paramAbs}`);
  const scoreAbs = Math.max(...gpu.scores.map((p, i) => Math.abs(p - wasm.scores[i])));
  t.diagnostic(`scores: max |Δ P(signal)| ${scoreAbs.toExponential(2)}; checkpoint: ${gpu.saved.length} values`);
  assert.ok(scoreAbs < SCORE_TOL, `scores differ by ${scoreAbs}`);
  assert.equal(gpu.saved.length, wasm.saved.length);
  const savedAbs = Math.max(...gpu.saved.map((p, i) => Math.abs(p - wasm.saved[i]) / Math.max(1, Math.abs(wasm.saved[i]))));
  t.diagnostic(`checkpoint: max relative difference ${savedAbs.toExponential(2)}`);
  assert.ok(savedAbs < PARAM_TOL, `checkpoints differ by ${savedAbs}`);
  // The MLP baseline: same steps, scores and saved weights.
  const rel = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(1, Math.abs(b[i]))));
  const mlp = { loss: rel(gpu.mlp.losses, wasm.mlp.losses), score: rel(gpu.mlp.scores, wasm.mlp.scores), saved: rel(gpu.mlp.saved, wasm.mlp.saved) };
  t.diagnostic(`MLP baseline: losses ${wasm.mlp.losses[0].toFixed(4)} → ${wasm.mlp.losses[STEPS - 1].toFixed(4)}; max differences: loss ${mlp.loss.toExponential(2)}, P(signal) ${mlp.score.toExponential(2)}, weights ${mlp.saved.toExponential(2)}`);
  assert.ok(mlp.loss < LOSS_TOL && mlp.score < SCORE_TOL && mlp.saved < PARAM_TOL, `MLP baseline differs: ${JSON.stringify(mlp)}`);
});
