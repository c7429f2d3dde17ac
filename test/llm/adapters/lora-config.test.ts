/**
 * adapter_config.json as PEFT writes it: what hepllm implements is read, what only describes the
 * file or its initialisation is accepted, and every switched-on feature hepllm does not implement
 * is refused naming the field (hand-written configs; the real PEFT files are in peft.test.ts).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { applyLora, Decoder, initBackend, loadAdapter, readLoraConfig } from "../../../lib/llm";
import { writeSafetensors } from "../../../lib/llm/io/safetensors";
import { randomModel, tempDir, TINY_MISTRAL } from "../support";

let dir: string;
let model: Decoder;
before(async () => {
  await initBackend();
  dir = tempDir("lora-config");
  model = randomModel(TINY_MISTRAL, 3);
});
after(() => {
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function config(extra: Record<string, unknown>): string {
  const d = fs.mkdtempSync(path.join(dir, "a-"));
  const cfg = { peft_type: "LORA", r: 2, lora_alpha: 4, lora_dropout: 0, target_modules: ["q_proj"], bias: "none", ...extra };
  fs.writeFileSync(path.join(d, "adapter_config.json"), JSON.stringify(cfg));
  return d;
}

test("PEFT 0.21's full field list with everything off reads as plain LoRA", () => {
  const cfg = readLoraConfig(config({
    alora_invocation_tokens: null, alpha_pattern: {}, arrow_config: null, auto_mapping: null, base_model_name_or_path: "/x",
    corda_config: null, ensure_weight_tying: false, eva_config: null, exclude_modules: null, fan_in_fan_out: false,
    inference_mode: true, init_lora_weights: false, kasa_config: null, layer_replication: null, layers_pattern: null,
    layers_to_transform: null, loftq_config: {}, lora_bias: false, lora_ga_config: null, megatron_config: null,
    megatron_core: "megatron.core", modules_to_save: null, monteclora_config: null, peft_version: "0.21.0",
    qalora_group_size: 16, rank_pattern: {}, revision: null, target_parameters: null, task_type: "CAUSAL_LM",
    trainable_token_indices: null, use_bdlora: null, use_dora: false, use_qalora: false, use_rslora: true, velora_config: null,
  }));
  assert.deepEqual(cfg, { r: 2, alpha: 4, dropout: 0, targetModules: ["q_proj"], useRslora: true });
});

test("switched-on features hepllm lacks are refused by name, new fields too", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ use_dora: true }, "use_dora"],
    [{ lora_bias: true }, "lora_bias"],
    [{ layers_to_transform: [0] }, "layers_to_transform"],
    [{ rank_pattern: { q_proj: 4 } }, "rank_pattern"],
    [{ modules_to_save: ["lm_head"] }, "modules_to_save"],
    [{ a_field_from_peft_1_0: { on: true } }, "a_field_from_peft_1_0"],
  ];
  for (const [extra, field] of cases) assert.throws(() => readLoraConfig(config(extra)), new RegExp(`field ${field} = .* is not supported`), field);
  assert.throws(() => readLoraConfig(config({ peft_type: "IA3" })), /field peft_type is "IA3"/);
  assert.throws(() => readLoraConfig(config({ target_modules: ".*proj" })), /field target_modules is the pattern/);
  assert.deepEqual(readLoraConfig(config({ a_field_from_peft_1_0: null })).targetModules, ["q_proj"]);
  assert.equal(readLoraConfig(config({ target_modules: "all-linear" })).targetModules.length, 7);
  assert.deepEqual(readLoraConfig(config({ target_modules: "v_proj" })).targetModules, ["v_proj"]);
  // Trainable token rows are implemented now (test/llm/adapters/trainable-tokens.test.ts); a bad value is still refused by name.
  assert.deepEqual(readLoraConfig(config({ trainable_token_indices: [5] })).trainableTokens, { embed: [5] });
  assert.throws(() => readLoraConfig(config({ trainable_token_indices: { wte: [5] } })), /field trainable_token_indices names the layer "wte"/);
});

test("a tensor the adapter would not use is refused; a fusion checkpoint needs --lora-only", () => {
  const a = applyLora(model, { r: 2, alpha: 4, targetModules: ["q_proj"] });
  const good = path.join(dir, "good");
  a.save(good, "tiny");
  a.dispose();
  // DoRA's magnitude vector beside plain A/B, with a config that hides use_dora.
  const extra = path.join(dir, "extra");
  fs.cpSync(good, extra, { recursive: true });
  const file = path.join(extra, "adapter_model.safetensors");
  const names = ["base_model.model.model.layers.0.self_attn.q_proj", "base_model.model.model.layers.1.self_attn.q_proj"];
  const tensors: Record<string, { dtype: "F32"; shape: number[]; data: Float32Array }> = {};
  for (const n of names) {
    tensors[`${n}.lora_A.weight`] = { dtype: "F32", shape: [2, 64], data: new Float32Array(128) };
    tensors[`${n}.lora_B.weight`] = { dtype: "F32", shape: [64, 2], data: new Float32Array(128) };
  }
  tensors[`${names[0]}.lora_magnitude_vector`] = { dtype: "F32", shape: [64], data: new Float32Array(64) };
  writeSafetensors(file, tensors, { format: "pt" });
  assert.throws(() => loadAdapter(model, extra), /lora_magnitude_vector" is not a LoRA A\/B weight/);

  const fusion = path.join(dir, "fusion-ckpt");
  fs.cpSync(good, fusion, { recursive: true });
  fs.writeFileSync(path.join(fusion, "fusion_adapter.safetensors"), "");
  assert.throws(() => loadAdapter(model, fusion), /numeric fusion adapter .*--lora-only/s);
  loadAdapter(model, fusion, { loraOnly: true }).dispose();
});

test("base_model_name_or_path is absolute for a local folder, verbatim for a hub name", () => {
  const a = applyLora(model, { r: 2, alpha: 4, targetModules: ["q_proj"] });
  try {
    const rel = path.relative(process.cwd(), dir);
    a.save(path.join(dir, "abs"), rel);
    a.save(path.join(dir, "hub"), "mistralai/Mistral-7B-v0.3");
  } finally {
    a.dispose();
  }
  const read = (d: string): string => (JSON.parse(fs.readFileSync(path.join(dir, d, "adapter_config.json"), "utf8")) as { base_model_name_or_path: string }).base_model_name_or_path;
  assert.equal(read("abs"), path.resolve(dir));
  assert.equal(read("hub"), "mistralai/Mistral-7B-v0.3");
});
