import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { useWasm } from "../support/backend";
import { sharedFile, skipUnlessShared } from "../support/shared";
import { loadModel, readLoraConfig } from "../../lib/llm";
import { loadTokenizer } from "../../lib/tokenizer";
import { syntheticRecords } from "../../lib/prompts";
import { LlmClassifier } from "../../lib/train/llm-classifier";
import { resolveTrainConfig } from "../../lib/train/config";
import { train } from "../../lib/train/trainer";
import { listCheckpoints } from "../../lib/train/checkpoint";

before(useWasm);

const MODEL = "fixtures/stories260K";

test("a real pretrained Llama (stories260K) fine-tunes with LoRA + fusion for a few steps", { skip: skipUnlessShared(`${MODEL}/model.safetensors`) }, async () => {
  const dir = sharedFile(MODEL)!;
  const model = await loadModel(dir);
  const tok = loadTokenizer(dir);
  // Its tokenizer has no <JET_FEATURES> token, so the features enter at the first token.
  const clf = new LlmClassifier(model, tok, {
    lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "v_proj", "gate_proj"], rslora: false },
    fusion: { mode: "first-token", dropout: 0 }, prompt: {}, maxJets: 2, seed: 1, baseModel: dir,
  });
  const recs = [...syntheticRecords(24, 4)];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-stories-"));
  const cfg = resolveTrainConfig({
    run: "stories", outDir: out, model: { kind: "llm", path: dir }, data: { train: "-" },
    optim: { lr: 5e-3, warmupSteps: 0 }, schedule: { epochs: 3, batchSize: 4, maxSteps: 6, logEverySteps: 1 },
    checkpoint: { everySteps: 3, keep: 0 },
  });
  // Train repeatedly on one small set: the answer loss must fall.
  const res = await train(cfg, clf, { train: recs.slice(0, 8) }, "stories260K");
  assert.equal(res.losses.length, 6);
  assert.ok(res.losses.every(Number.isFinite));
  assert.ok(res.losses[5] < res.losses[0], `answer loss ${res.losses[0].toFixed(3)} → ${res.losses[5].toFixed(3)}`);
  assert.deepEqual(listCheckpoints(path.join(out, "stories")), [3, 6]);
  const ckpt = path.join(out, "stories", "checkpoint-6");
  const peft = readLoraConfig(ckpt);
  assert.equal(peft.r, 4);
  assert.ok(fs.existsSync(path.join(ckpt, "fusion_adapter.safetensors")));
  const p = await clf.score(recs.slice(8, 12));
  assert.ok(p.every((x) => x >= 0 && x <= 1));
  clf.dispose();
  model.dispose();
});
