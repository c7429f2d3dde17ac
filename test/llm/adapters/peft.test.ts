/**
 * PEFT conformance with the real library (peft 0.21, transformers 5, torch 2 CPU), both ways, on a
 * real pretrained model (stories260K, ../shared):
 * - adapters PEFT writes (plain, rsLoRA, a subset of targets, bfloat16 weights, "all-linear")
 *   give PEFT's logits in hepllm;
 * - an adapter hepllm writes gives hepllm's logits in PeftModel.from_pretrained, and
 *   AutoPeftModelForCausalLM opens it by itself (base_model_name_or_path must lead to the model);
 * - what hepllm does not implement (DoRA, lora_bias) is refused with an error naming the field.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { applyLora, Decoder, loadAdapter, loadModel } from "../../../lib/llm";
import { skipUnlessShared, sharedFile } from "../../support/shared";
import { hasPeft, PEFT_PYTHON, peftBatch, skipUnlessPeft } from "../../support/peft";
import { maxAbsDiff, tempDir } from "../support";

const TOL = 1e-4;
const MODEL = "fixtures/stories260K";
const skip = skipUnlessShared(MODEL) || skipUnlessPeft();
const ids = [[1, 403, 407, 50, 7, 300, 2, 511, 90]];
let model: Decoder;
let dir: string;

before(async () => {
  if (skip) return;
  dir = tempDir("peft");
  model = await loadModel(sharedFile(MODEL)!);
});

after(() => {
  model?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const logits = (): number[][][] => tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, "int32")).arraySync());

test("adapters written by PEFT give PEFT's logits in hepllm (plain, rsLoRA, subset, bf16, all-linear)", { skip }, () => {
  assert.ok(hasPeft(), `the PEFT reference environment is required in CI: ${PEFT_PYTHON}`);
  const base = logits();
  const kinds = ["plain", "rslora", "subset", "bf16", "all-linear"];
  const out = peftBatch(kinds.map((k, i) => ["make", sharedFile(MODEL)!, path.join(dir, k), k, String(i + 1), JSON.stringify(ids)]));
  kinds.forEach((k, i) => {
    assert.ok(out[i].logits, `${k}: ${out[i].error}`);
    assert.ok(maxAbsDiff(out[i].logits, base) > 0.1, `${k}: the adapter must visibly change PEFT's logits`);
    const adapter = loadAdapter(model, path.join(dir, k));
    try {
      const d = maxAbsDiff(logits(), out[i].logits);
      assert.ok(d <= TOL, `${k}: hepllm vs PEFT max |Δlogit| = ${d}`);
    } finally {
      adapter.dispose();
    }
  });
});

test("an adapter written by hepllm gives hepllm's logits in PeftModel and AutoPeftModelForCausalLM", { skip }, () => {
  assert.ok(hasPeft(), `the PEFT reference environment is required in CI: ${PEFT_PYTHON}`);
  const adapter = applyLora(model, { r: 4, alpha: 8, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], useRslora: true, seed: 7 });
  const out = path.join(dir, "hepllm-adapter");
  let mine: number[][][];
  try {
    for (const m of adapter.modules) m.lora!.b.assign(tf.randomNormal(m.lora!.b.shape, 0, 0.1, "float32", 9));
    mine = logits();
    adapter.save(out, sharedFile(MODEL)!);
  } finally {
    adapter.dispose();
  }
  const cfg = JSON.parse(fs.readFileSync(path.join(out, "adapter_config.json"), "utf8")) as { base_model_name_or_path: string };
  assert.ok(path.isAbsolute(cfg.base_model_name_or_path), `base_model_name_or_path must be absolute, got ${cfg.base_model_name_or_path}`);
  const [viaPeft, viaAuto] = peftBatch([
    ["logits", sharedFile(MODEL)!, out, JSON.stringify(ids)],
    ["auto", out, JSON.stringify(ids)],
  ]);
  assert.ok(viaPeft.logits, `PeftModel.from_pretrained: ${viaPeft.error}`);
  assert.ok(viaAuto.logits, `AutoPeftModelForCausalLM.from_pretrained: ${viaAuto.error}`);
  assert.ok(maxAbsDiff(viaPeft.logits, mine) <= TOL, `PeftModel vs hepllm: ${maxAbsDiff(viaPeft.logits, mine)}`);
  assert.ok(maxAbsDiff(viaAuto.logits, mine) <= TOL, `AutoPeftModel vs hepllm: ${maxAbsDiff(viaAuto.logits, mine)}`);
});

test("DoRA and lora_bias adapters written by PEFT are refused, naming the field", { skip }, () => {
  assert.ok(hasPeft(), `the PEFT reference environment is required in CI: ${PEFT_PYTHON}`);
  const kinds = [["dora", "use_dora"], ["lora_bias", "lora_bias"]];
  const out = peftBatch(kinds.map(([k], i) => ["make", sharedFile(MODEL)!, path.join(dir, k), k, String(10 + i), JSON.stringify(ids)]));
  kinds.forEach(([k, field], i) => {
    assert.ok(out[i].logits, `${k}: ${out[i].error}`);
    assert.throws(() => loadAdapter(model, path.join(dir, k)), new RegExp(`field ${field} = true is not supported`));
  });
  assert.ok(maxAbsDiff(logits(), logits()) === 0);
});
