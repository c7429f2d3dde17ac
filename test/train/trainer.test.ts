import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../support/backend";
import { MlpBaseline } from "../../lib/train/mlp-baseline";
import { resolveTrainConfig, TrainConfig } from "../../lib/train/config";
import { train, datasetLabel } from "../../lib/train/trainer";
import { listCheckpoints } from "../../lib/train/checkpoint";
import { readRunLog } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";
import type { EventRecord } from "../../lib/jets/record";

before(useWasm);

/** Signal: heavier, two-prong (low tau21) jets; background: light one-prong jets. */
function records(n: number, seed: number, signalEvery = 2): EventRecord[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, id) => {
    const sig = id % signalEvery === 0;
    const jet = () => {
      const m = sig ? 300 + 80 * rng.normal() : 80 + 40 * Math.abs(rng.normal());
      const tau21 = Math.min(1, Math.max(0.05, sig ? 0.3 + 0.1 * rng.normal() : 0.7 + 0.1 * rng.normal()));
      return { P_T: 1300 + 200 * rng.uniform(), eta: rng.normal(), phi: rng.range(-3, 3), E: 1500, m: Math.max(1, m), n_particles: 40, P_T_lead: 200, tau1: 0.3, tau2: 0.3 * tau21, tau3: 0.05, tau21, tau32: 0.5, dR: {} };
    };
    return { id, type: sig ? "signal" : "background", n_particles: 150, n_jets: 2, M_jj: 3000, jets: [jet(), jet()] } as EventRecord;
  });
}

function config(dir: string, over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...resolveTrainConfig({
      run: "mlp", outDir: dir, model: { kind: "mlp", hidden: [16], dropout: 0.2 }, data: { train: "train.jsonl", val: "val.jsonl" },
      optim: { lr: 0.01, warmupSteps: 2 }, schedule: { epochs: 3, batchSize: 16, gradAccum: 2, logEverySteps: 1 },
      checkpoint: { everySteps: 4, keep: 0 }, seed: 7,
    }),
    ...over,
  };
}

test("the MLP baseline learns through the shared loop and logs an evaluation per epoch", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-train-"));
  const clf = new MlpBaseline({ hidden: [16], maxJets: 2, dropout: 0.2 }, 7);
  const data = { train: records(200, 1), val: records(100, 2) };
  const res = await train(config(dir), clf, data, "mlp");
  assert.equal(res.steps, 18, "3 epochs × floor(200 / 32) steps");
  const log = readRunLog(path.join(dir, "mlp"));
  const evals = log.filter((e) => e.kind === "eval");
  assert.equal(evals.length, 3, "one evaluation per epoch");
  const last = evals[evals.length - 1];
  assert.ok(last.kind === "eval" && last.metrics.auc > 0.95, "separable toy data is learnt");
  assert.equal(last.kind === "eval" && last.dataset, "1:1 @100");
  assert.ok(res.losses[res.losses.length - 1] < res.losses[0], "loss goes down");
  clf.dispose();
});

test("a resumed run repeats the uninterrupted run's losses exactly", async () => {
  const data = { train: records(200, 3) };
  const start = tf.memory().numTensors;
  const full = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-full-"));
  const a = new MlpBaseline({ hidden: [16], maxJets: 2, dropout: 0.2 }, 11);
  const ref = await train(config(full), a, data, "mlp");
  a.dispose();

  const part = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-part-"));
  const b = new MlpBaseline({ hidden: [16], maxJets: 2, dropout: 0.2 }, 11);
  const first = await train(config(part), b, data, "mlp", { stopAfterStep: 8 });
  b.dispose();
  assert.deepEqual(listCheckpoints(path.join(part, "mlp")), [4, 8]);
  // A fresh process would build a fresh model: different init seed, so only the checkpoint can make it match.
  const c = new MlpBaseline({ hidden: [16], maxJets: 2, dropout: 0.2 }, 999);
  const rest = await train(config(part), c, data, "mlp");
  c.dispose();
  assert.deepEqual([...first.losses, ...rest.losses], ref.losses);
  assert.equal(tf.memory().numTensors, start, "training, checkpoints and resumes leave no tensors once the models are disposed");
});

test("config validation names the field", () => {
  assert.throws(() => resolveTrainConfig({ run: "x", model: { kind: "mlp", hidden: [] , dropout: 0 }, data: { train: "t" } }, "cfg.json"), /cfg\.json.*\/model/);
  assert.throws(() => resolveTrainConfig({ run: "x", model: { kind: "llm", path: "m" }, data: { train: "t" }, fusion: { mode: "sideways" } }, "cfg.json"), /\/fusion\/mode/);
  assert.equal(datasetLabel(records(110, 1, 11)), "1:10 @110");
});
