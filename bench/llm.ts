/**
 * `npm run bench:llm`: prompt processing and KV-cached decoding tokens/s of the decoder (and one
 * LoRA training step) on a small preset, against the same computation in PyTorch (Debian,
 * CPU, same thread count: the wasm backend runs one thread in Node) measured in the same run.
 *
 * Environment: HEPLLM_BENCH_PRESET (default "small"), HEPLLM_BENCH_REPEATS (default 3).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { applyLora, configToJson, initBackend, initModel, KVCache, PRESETS } from "../lib/llm";
import { hasPythonModule, SYSTEM_PYTHON, REPO_ROOT } from "../test/support/shared";

const presetName = process.env.HEPLLM_BENCH_PRESET ?? "small";
const repeats = Number(process.env.HEPLLM_BENCH_REPEATS ?? 3);
const settings = { threads: 1, prompt: 128, batch: 1, decode: 32, trainBatch: 4, trainLen: 64, loraR: 8, repeats };

/** Best of `repeats` runs after a warm-up: [wall seconds, process CPU seconds] (CPU time is robust to a busy machine). */
function best(fn: () => void): [number, number] {
  fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return [wall, cpu];
}

async function main(): Promise<void> {
  const cfg = PRESETS[presetName];
  if (!cfg) throw new Error(`unknown preset ${presetName} (${Object.keys(PRESETS).join(", ")})`);
  const backend = await initBackend();
  console.error(`bench:llm preset ${presetName}: D=${cfg.hiddenSize} layers=${cfg.numLayers} heads=${cfg.numHeads}/${cfg.numKvHeads} V=${cfg.vocabSize}; backend ${backend}`);
  const model = initModel(cfg, 1);
  const idsOf = (b: number, t: number): number[][] => Array.from({ length: b }, (_, r) => Array.from({ length: t }, (_, i) => 3 + ((i * 131 + r * 17) % (cfg.vocabSize - 3))));
  const prompt = tf.tensor2d(idsOf(settings.batch, settings.prompt), undefined, "int32");

  const ours: Record<string, [number, number]> = {};
  ours.prefill = best(() => tf.tidy(() => void model.forward(prompt, { positions: "last" }).dataSync()));
  const decodeOnce = (): [number, number] => {
    const cache = new KVCache(cfg.numLayers);
    tf.tidy(() => void model.forward(prompt, { cache, positions: "last" }).dataSync());
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let tok = 5;
    for (let i = 0; i < settings.decode; i++) {
      const l = tf.tidy(() => model.forward(tf.tensor2d([[tok]], [1, 1], "int32"), { cache, positions: "last" }).argMax(-1));
      tok = (l.dataSync() as Int32Array)[0];
      l.dispose();
    }
    const c = process.cpuUsage(c0);
    cache.dispose();
    return [(performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
  };
  decodeOnce();
  const runs = Array.from({ length: repeats }, decodeOnce);
  ours.decode = [Math.min(...runs.map((r) => r[0])), Math.min(...runs.map((r) => r[1]))];
  const adapter = applyLora(model, { r: settings.loraR, alpha: 16, targetModules: ["q_proj", "v_proj"] });
  const trainIds = tf.tensor2d(idsOf(settings.trainBatch, settings.trainLen), undefined, "int32");
  ours.train = best(() => {
    const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(model.forward(trainIds, { positions: "last" })))) as tf.Scalar, adapter.variables());
    value.dataSync();
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
  });

  let ref: Record<string, [number, number]> | undefined;
  if (hasPythonModule("torch")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-bench-"));
    try {
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(configToJson(cfg)));
      const r = spawnSync(SYSTEM_PYTHON, [path.join(REPO_ROOT, "test/llm/reference/bench_torch.py"), path.join(dir, "config.json"), JSON.stringify(settings)], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`bench_torch.py failed: ${r.stderr}`);
      ref = JSON.parse(r.stdout.trim().split("\n").pop()!);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } else {
    console.error("PyTorch is not installed (apt-get install python3-torch): no reference ratios");
  }

  const rows: [string, number, string][] = [
    [`prompt processing (B=${settings.batch}, T=${settings.prompt})`, settings.batch * settings.prompt, "prefill"],
    [`KV-cached decoding (${settings.decode} tokens after ${settings.prompt})`, settings.decode, "decode"],
    [`LoRA train step (B=${settings.trainBatch}, T=${settings.trainLen}, r=${settings.loraR} on q,v)`, settings.trainBatch * settings.trainLen, "train"],
  ];
  console.log(`${"measure (1 thread each)".padEnd(58)} ${"hepllm tok/s".padStart(13)} ${"torch tok/s".padStart(12)} ${"ratio".padStart(7)} ${"CPU-time ratio".padStart(15)}`);
  for (const [label, tokens, key] of rows) {
    const a = tokens / ours[key][0];
    const b = ref ? tokens / ref[key][0] : NaN;
    const cpuRatio = ref ? ref[key][1] / ours[key][1] : NaN;
    console.log(`${label.padEnd(58)} ${a.toFixed(1).padStart(13)} ${(ref ? b.toFixed(1) : "-").padStart(12)} ${(ref ? (a / b).toFixed(2) + "x" : "-").padStart(7)} ${(ref ? cpuRatio.toFixed(2) + "x" : "-").padStart(15)}`);
  }
  adapter.dispose();
  model.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
