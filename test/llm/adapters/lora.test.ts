/**
 * LoRA against PyTorch: an adapter with known non-zero A/B written by a Python script in PEFT
 * layout must change the logits exactly as the torch reference computing W + s·B·A predicts
 * (plain and rsLoRA scaling); merge/unmerge, save/load, initialisation and gradients on this
 * backend (every op of the training path must have one).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, saveModel, applyLora, loadAdapter, SafetensorsFile, Decoder } from "../../../lib/llm";
import { skipUnlessPython } from "../../support/shared";
import { maxAbsDiff, randomModel, runPython, tempDir, TINY_MISTRAL, torchLogits } from "../support";

const TOL = 1e-4;
const ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
let model: Decoder;
let dir: string;
const ids = [[1, 17, 33, 5, 61, 8, 90, 42, 11, 3], [2, 4, 6, 8, 10, 12, 14, 16, 18, 20]];

before(async () => {
  await initBackend();
  model = randomModel(TINY_MISTRAL, 11);
  dir = tempDir("lora");
  saveModel(model, path.join(dir, "m"));
});

after(() => {
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const logits = (opts: { mask?: number[][] } = {}): number[][][] =>
  tf.tidy(() => model.forward(tf.tensor2d(ids, undefined, "int32"), { attentionMask: opts.mask }).arraySync());

test("a PEFT adapter written by Python changes the logits as torch's W + s·B·A predicts", { skip: skipUnlessPython("torch", "python3-torch") }, () => {
  const mdir = path.join(dir, "m");
  const plain = path.join(dir, "a-plain");
  const rs = path.join(dir, "a-rslora");
  runPython("make_adapter.py", [mdir, plain, "4", "8", "0", ALL.join(",")]);
  runPython("make_adapter.py", [mdir, rs, "4", "3", "1", "q_proj,v_proj,down_proj"]);
  const [base, refPlain, refRs] = torchLogits(mdir, [{ ids }, { ids, adapter: plain }, { ids, adapter: rs }]);
  assert.ok(maxAbsDiff(base, refPlain) > 0.1, "the adapter must visibly change the reference logits");

  const before = logits();
  assert.ok(maxAbsDiff(before, base) < TOL);
  for (const [adir, ref] of [[plain, refPlain], [rs, refRs]] as const) {
    const adapter = loadAdapter(model, adir);
    try {
      assert.ok(maxAbsDiff(logits(), ref) < TOL, `unmerged: ${maxAbsDiff(logits(), ref)}`);
      adapter.merge();
      assert.ok(maxAbsDiff(logits(), ref) < TOL, `merged: ${maxAbsDiff(logits(), ref)}`);
      adapter.unmerge();
      assert.ok(maxAbsDiff(logits(), ref) < TOL);
    } finally {
      adapter.dispose();
    }
    assert.ok(maxAbsDiff(logits(), base) < TOL, "disposing the adapter restores the base model");
  }
});

test("a fresh adapter is the identity, A is Kaiming-uniform, and save/load keeps PEFT names and shapes", () => {
  const base = logits();
  const adapter = applyLora(model, { r: 4, alpha: 16, dropout: 0.1, targetModules: ["q_proj", "gate_proj"], seed: 3 });
  try {
    assert.equal(adapter.variables().length, 2 * 2 * TINY_MISTRAL.numLayers);
    assert.equal(maxAbsDiff(logits(), base), 0);
    const a = adapter.modules[0].lora!.a.dataSync();
    const bound = 1 / Math.sqrt(TINY_MISTRAL.hiddenSize);
    assert.ok(Array.from(a).every((x) => Math.abs(x) <= bound) && Math.max(...Array.from(a).map(Math.abs)) > 0.8 * bound);
    // Give B values, save, reload into a second adapter of the same shape: identical logits.
    for (const m of adapter.modules) m.lora!.b.assign(tf.randomNormal(m.lora!.b.shape, 0, 0.3, "float32", 5));
    const withB = logits();
    const out = path.join(dir, "saved");
    adapter.save(out, "tiny");
    const st = new SafetensorsFile(path.join(out, "adapter_model.safetensors"));
    assert.deepEqual(st.info("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").shape, [4, 64]);
    assert.deepEqual(st.info("base_model.model.model.layers.1.mlp.gate_proj.lora_B.weight").shape, [96, 4]);
    st.close();
    const cfg = JSON.parse(fs.readFileSync(path.join(out, "adapter_config.json"), "utf8"));
    assert.equal(cfg.peft_type, "LORA");
    assert.equal(cfg.lora_alpha, 16);
    adapter.dispose();
    const again = loadAdapter(model, out);
    assert.ok(maxAbsDiff(logits(), withB) < 1e-6);
    // Dropout only when training.
    again.setTraining(true);
    assert.ok(maxAbsDiff(logits(), withB) > 1e-4);
    again.setTraining(false);
    again.dispose();
  } finally {
    adapter.dispose();
  }
});

test("gradients reach every LoRA variable through a padded batch and match finite differences", () => {
  const adapter = applyLora(model, { r: 2, alpha: 4, targetModules: ALL as never, seed: 1 });
  try {
    for (const m of adapter.modules) m.lora!.b.assign(tf.randomNormal(m.lora!.b.shape, 0, 0.1, "float32", 9));
    const mask = [Array(10).fill(1), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]];
    const x = tf.tensor2d(ids, undefined, "int32");
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const out = model.forward(x, { attentionMask: mask, positions: [[8, 9], [8, 9]] });
        return tf.mean(tf.square(out)) as tf.Scalar;
      });
    const { value, grads } = tf.variableGrads(loss, adapter.variables());
    const vars = adapter.variables();
    for (const v of vars) {
      const g = grads[v.name];
      assert.ok(g, `no gradient for ${v.name}`);
      const gd = g.dataSync();
      assert.ok(gd.every(Number.isFinite) && gd.some((e) => e !== 0), `gradient of ${v.name} is zero or not finite`);
    }
    // Central difference on one element of the first layer's q_proj A and the last down_proj B.
    for (const v of [vars[0], vars[vars.length - 1]]) {
      const eps = 1e-2;
      const orig = v.clone();
      const delta = tf.tidy(() => tf.oneHot(tf.tensor1d([1], "int32"), v.size).reshape(v.shape).mul(eps));
      v.assign(orig.add(delta));
      const up = loss().dataSync()[0];
      v.assign(orig.sub(delta));
      const down = loss().dataSync()[0];
      v.assign(orig);
      const numeric = (up - down) / (2 * eps);
      const analytic = grads[v.name].dataSync()[1];
      assert.ok(Math.abs(numeric - analytic) <= 2e-2 * Math.abs(analytic) + 1e-5, `${v.name}: analytic ${analytic} vs numeric ${numeric}`);
      orig.dispose();
      delta.dispose();
    }
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    x.dispose();
  } finally {
    adapter.dispose();
  }
});

test("unsupported or invalid adapter configs are rejected naming the file and field", () => {
  const d = path.join(dir, "badcfg");
  fs.mkdirSync(d, { recursive: true });
  const base = { peft_type: "LORA", r: 2, lora_alpha: 4, target_modules: ["q_proj"] };
  const cases: [object, RegExp][] = [
    [{ ...base, layers_to_transform: [0] }, /field layers_to_transform = \[0\] is not supported/],
    [{ ...base, target_modules: ["lm_head"] }, /target_modules entry "lm_head" is not one of/],
    [{ ...base, r: 0 }, /r must be a positive integer/],
    [{ ...base, peft_type: "IA3" }, /field peft_type is "IA3"; hepllm implements only "LORA"/],
  ];
  for (const [cfg, re] of cases) {
    fs.writeFileSync(path.join(d, "adapter_config.json"), JSON.stringify(cfg));
    assert.throws(() => loadAdapter(model, d), (e: Error) => e.message.includes(path.join(d, "adapter_config.json")) && re.test(e.message), String(re));
  }
  fs.writeFileSync(path.join(d, "adapter_config.json"), JSON.stringify(base));
  assert.throws(() => loadAdapter(model, d), /adapter_model.safetensors/);
  assert.equal(model.linears().filter((l) => l.lora).length, 0, "a failed load leaves no adapter behind");
});
