import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { AdamW, clipByGlobalNorm } from "../../lib/train/adamw";
import { learningRate } from "../../lib/train/schedule";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";

before(useWasm);

// Minimise f(θ) = Σ (θ − c)² ⋅ w for a few steps with a changing learning rate, in hepllm and in
// torch.optim.AdamW with the same hyper-parameters; the trajectories must agree.
const theta0 = [0.5, -1.25, 2.0, 0.1];
const c = [1, 2, -1, 0.5];
const w = [1, 0.5, 2, 3];
const lrs = [0.1, 0.05, 0.2, 0.01, 0.1];

test("AdamW matches torch.optim.AdamW step by step", { skip: skipUnlessPython("torch", "python3-torch") }, () => {
  const py = `
import torch, json
theta = torch.tensor(${JSON.stringify(theta0)}, dtype=torch.float64, requires_grad=True)
c = torch.tensor(${JSON.stringify(c)}, dtype=torch.float64); w = torch.tensor(${JSON.stringify(w)}, dtype=torch.float64)
opt = torch.optim.AdamW([theta], lr=0.1, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
out = []
for lr in ${JSON.stringify(lrs)}:
    for g in opt.param_groups: g["lr"] = lr
    opt.zero_grad(); loss = (w * (theta - c) ** 2).sum(); loss.backward(); opt.step()
    out.append(theta.detach().tolist())
print(json.dumps(out))`;
  const r = spawnSync(SYSTEM_PYTHON, ["-c", py], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(r.stdout) as number[][];

  const theta = tf.variable(tf.tensor1d(theta0));
  const opt = new AdamW([{ name: "p", variables: [theta], lrScale: 1, weightDecay: 0.1 }], { beta1: 0.9, beta2: 0.95, eps: 1e-8 });
  lrs.forEach((lr, i) => {
    const { grads } = tf.variableGrads(() => tf.tensor1d(w).mul(theta.sub(tf.tensor1d(c)).square()).sum() as tf.Scalar, [theta]);
    opt.apply(new Map([[theta, grads[theta.name]]]), lr);
    const got = Array.from(theta.dataSync());
    got.forEach((x, j) => assert.ok(Math.abs(x - expected[i][j]) < 1e-5, `step ${i} θ[${j}]: ${x} vs torch ${expected[i][j]}`));
  });
});

test("optimiser state round-trips exactly", () => {
  const a = tf.variable(tf.tensor1d([1, 2, 3]));
  const opt = new AdamW([{ name: "g", variables: [a], lrScale: 1, weightDecay: 0 }]);
  opt.apply(new Map([[a, tf.tensor1d([0.1, -0.2, 0.3])]]), 0.01);
  const state = opt.getState();
  const b = tf.variable(tf.tensor1d([1, 2, 3]));
  const opt2 = new AdamW([{ name: "g", variables: [b], lrScale: 1, weightDecay: 0 }]);
  opt2.setState(state);
  b.assign(a);
  const g = tf.tensor1d([0.5, 0.5, -0.5]);
  opt.apply(new Map([[a, g]]), 0.01);
  opt2.apply(new Map([[b, g]]), 0.01);
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.throws(() => opt2.setState({ step: 1, tensors: new Map() }), /g\.0\.m is missing/);
});

test("global-norm clipping (hand-derived)", () => {
  const a = tf.variable(tf.tensor1d([0, 0]));
  const b = tf.variable(tf.tensor1d([0]));
  const grads = new Map<tf.Variable, tf.Tensor>([[a, tf.tensor1d([3, 0])], [b, tf.tensor1d([4])]]);
  assert.ok(Math.abs(clipByGlobalNorm(grads, 1) - 5) < 1e-6, "norm of (3, 0, 4) is 5");
  assert.ok(Math.abs(grads.get(a)!.dataSync()[0] - 0.6) < 1e-5);
  assert.ok(Math.abs(grads.get(b)!.dataSync()[0] - 0.8) < 1e-5);
});

test("warm-up then cosine schedule (hand-derived)", () => {
  const cfg = { lr: 1, warmupSteps: 4, totalSteps: 14, minRatio: 0 };
  assert.equal(learningRate(cfg, 0), 0.25);
  assert.equal(learningRate(cfg, 3), 1);
  assert.ok(Math.abs(learningRate(cfg, 9) - 0.5) < 1e-12, "half-way through the decay: cos(π/2) → 0.5");
  assert.ok(Math.abs(learningRate(cfg, 14)) < 1e-12);
  assert.ok(Math.abs(learningRate({ ...cfg, minRatio: 0.1 }, 14) - 0.1) < 1e-12);
});
