/**
 * The MLP baseline with the piecewise-linear numeric encoding: the first layer reads F·(bins + 1)
 * numbers, the trainer fits the bins on the training events, and a checkpoint restores them.
 */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useWasm } from "../support/backend";
import { featureSize } from "../../lib/llm/adapters/fusion/features";
import { syntheticRecords } from "../../lib/prompts";
import { resolveTrainConfig } from "../../lib/train/config";
import { MlpBaseline } from "../../lib/train/mlp-baseline";
import { train } from "../../lib/train/trainer";

before(useWasm);

test("MLP with ple inputs: trained by the loop, saved and loaded to identical scores", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-mlp-ple-"));
  const numeric = { encoding: "ple" as const, bins: 5 };
  const recs = [...syntheticRecords(64, 3)];
  const a = new MlpBaseline({ hidden: [8], maxJets: 2, dropout: 0, numeric }, 1);
  assert.equal(a.encoder.outputSize, featureSize(2) * 6);
  const cfg = resolveTrainConfig({
    run: "m", outDir: dir, model: { kind: "mlp", hidden: [8], dropout: 0 }, data: { train: "-" }, numeric,
    optim: { lr: 1e-2, warmupSteps: 1 }, schedule: { epochs: 1, batchSize: 16, logEverySteps: 1 }, checkpoint: { everySteps: 100, keep: 1 },
  });
  const r = await train(cfg, a, { train: recs }, "MLP");
  const scores = await a.score(recs);
  const b = new MlpBaseline({ hidden: [8], maxJets: 2, dropout: 0, numeric }, 2);
  await assert.rejects(b.score(recs), /not fitted/);
  b.load(r.lastCheckpoint);
  assert.deepEqual(await b.score(recs), scores);
  a.dispose();
  b.dispose();
});
