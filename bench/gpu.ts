/**
 * `npm run bench:gpu`: LoRA training tokens/s and scoring events/s on the WebGPU adapter found,
 * beside the wasm figure measured in the same run, for the demo's model and a TinyLlama-1.1B-shaped
 * random-weight Llama; peak GPU memory where the adapter reports it (tfjs's buffer manager:
 * bytes allocated on the device). Each (case, backend) runs in a child process of its own (a
 * process has one tfjs backend).
 *
 * The training step: LoRA r 8 on all seven projections (dropout 0.05), AdamW, cross-entropy at 3
 * answer positions per sequence (the "lm" head); scoring: one forward pass per batch to the last
 * position's hidden state and logits (the "linear" head's work). The 1B case holds its frozen
 * weights in 16 bits (WebGPU: halves on the device; wasm: bfloat16 on the host, its float32
 * weights exceed the wasm heap). On a software adapter (llvmpipe, ~5 GFLOP/s) the 1B case runs
 * only with --with-1b, and a note says so.
 *
 * usage: node --import tsx bench/gpu.ts [--cases demo,1b] [--backends webgpu,wasm] [--batch 4]
 *        [--tokens 64] [--steps 3] [--with-1b]
 *        node --import tsx bench/gpu.ts --fits     (the 8/24/80 GB table, bench/gpu-fits.ts)
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { applyLora, LoraTarget } from "../lib/llm";
import { initBackend } from "../lib/llm/kernels/backend";
import { probeWebGpu, webGpuAdapter } from "../lib/llm/kernels/webgpu";
import { ModelConfig } from "../lib/llm/model/config";
import { buildDecoder } from "../lib/llm/model/model";
import { countParameters, formatCount, gb } from "../lib/llm/model/memory-plan";
import { trainingMemory } from "../lib/llm/model/training-memory";
import { STUDY_RECIPE } from "../lib/study/recipe";
import { AdamW } from "../lib/train/adamw";
import { fitsTable } from "./gpu-fits";
import { Rng } from "../lib/util/rng";

const CASES: Record<string, { config: ModelConfig; lowMemory: boolean }> = {
  demo: { config: { ...STUDY_RECIPE.baseModel, vocabSize: STUDY_RECIPE.vocabSize }, lowMemory: false },
  "1b": {
    // TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T config.json
    config: { modelType: "llama", vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, numLayers: 22, numHeads: 32, numKvHeads: 4, headDim: 64, ropeTheta: 10000, rmsNormEps: 1e-5, slidingWindow: null, tieWordEmbeddings: false, maxPositionEmbeddings: 2048 },
    lowMemory: true,
  },
};
const TARGETS: LoraTarget[] = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

interface Result {
  case: string;
  backend: string;
  device: string;
  trainTokensPerSecond: number;
  scoreEventsPerSecond: number;
  /** Bytes allocated on the GPU at the most (webgpu only). */
  peakGpuBytes?: number;
  plannedBytes: number;
  loss: number;
}

/** Random weights cheaply: a pool of normals (std 0.02) tiled with a per-tensor offset (as bench/large.ts). */
function randomSource(seed: number): (name: string, shape: number[]) => Float32Array {
  const rng = new Rng(seed);
  const pool = Float32Array.from({ length: 1 << 20 }, () => 0.02 * rng.normal());
  let offset = 0;
  return (_name, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    if (shape.length === 1) return out.fill(1);
    offset = (offset + 7919) % pool.length;
    for (let i = 0, k = offset; i < n; k = 0) {
      const len = Math.min(pool.length - k, n - i);
      out.set(pool.subarray(k, k + len), i);
      i += len;
    }
    return out;
  };
}

async function runChild(name: string, backend: string, batch: number, tokens: number, steps: number): Promise<Result> {
  await initBackend(backend);
  const c = CASES[name];
  const model = buildDecoder(c.config, randomSource(1), { lowMemory: c.lowMemory });
  const lora = applyLora(model, { r: 8, alpha: 16, dropout: 0.05, targetModules: TARGETS, seed: 3 });
  const opt = new AdamW([{ name: "lora", variables: lora.variables(), lrScale: 1, weightDecay: 0.01 }]);
  const v = c.config.vocabSize;
  const rng = new Rng(5);
  const ids = tf.tensor2d(Array.from({ length: batch * tokens }, () => 3 + rng.int(v - 3)), [batch, tokens], "int32");
  const positions = Array.from({ length: batch }, () => [tokens - 3, tokens - 2, tokens - 1]);
  const targets = tf.oneHot(tf.tensor1d(Array.from({ length: batch * 3 }, () => 3 + rng.int(v - 3)), "int32"), v);
  const gpu = (): number => (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? 0;
  let peak = gpu();
  const loss = (): tf.Scalar => tf.tidy(() => tf.losses.softmaxCrossEntropy(targets, model.forward(ids, { positions, training: true }).reshape([batch * 3, v])) as tf.Scalar);
  const step = async (): Promise<number> => {
    const { value, grads } = tf.variableGrads(loss, lora.variables());
    const gmap = new Map(lora.variables().map((x) => [x, grads[x.name]] as [tf.Variable, tf.Tensor]));
    opt.apply(gmap, 1e-4);
    const l = (await value.data())[0]; // waits for the device: the step is done
    peak = Math.max(peak, gpu());
    tf.dispose([value, ...Object.values(grads)]);
    return l;
  };
  lora.setTraining(true);
  let last = await step(); // compiles the shaders / warms the caches
  let t0 = performance.now();
  for (let s = 0; s < steps; s++) last = await step();
  const trainTokensPerSecond = (steps * batch * tokens) / ((performance.now() - t0) / 1000);
  lora.setTraining(false);
  const score = async (): Promise<void> => {
    const out = tf.tidy(() => model.forward(ids, { positions: "last", training: false }));
    await out.data();
    peak = Math.max(peak, gpu());
    out.dispose();
  };
  await score();
  t0 = performance.now();
  for (let s = 0; s < steps; s++) await score();
  const scoreEventsPerSecond = (steps * batch) / ((performance.now() - t0) / 1000);
  const storage = c.lowMemory ? (tf.getBackend() === "webgpu" ? "f16" : "bf16-host") : "f32-transposed";
  const planned = trainingMemory(c.config, { batch, seqLen: tokens, head: "lm", lora: { r: 8, targets: TARGETS, dropout: 0.05 } }, storage).total;
  const a = webGpuAdapter();
  return {
    case: name, backend: tf.getBackend(), device: a ? `${a.name}${a.isSoftware ? " (software)" : ""}` : "wasm, 1 thread",
    trainTokensPerSecond, scoreEventsPerSecond, peakGpuBytes: tf.getBackend() === "webgpu" ? peak : undefined, plannedBytes: planned, loss: last,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: "demo,1b" },
      backends: { type: "string", default: "webgpu,wasm" },
      batch: { type: "string", default: "4" },
      tokens: { type: "string" },
      steps: { type: "string", default: "3" },
      "with-1b": { type: "boolean", default: false },
      fits: { type: "boolean", default: false },
      child: { type: "string" },
      backend: { type: "string" },
    },
  });
  if (values.fits) {
    console.log(fitsTable().join("\n"));
    return;
  }
  const batch = Number(values.batch);
  const steps = Number(values.steps);
  if (values.child) {
    const r = await runChild(values.child, values.backend!, batch, Number(values.tokens), steps);
    console.log(JSON.stringify(r));
    return;
  }
  const probe = await probeWebGpu({ allowSoftware: true });
  const software = probe.adapter?.isSoftware ?? false;
  console.log(`bench:gpu: adapter ${probe.adapter ? `${probe.adapter.name}${software ? " (software)" : ""}` : `none (${probe.reasons.join("; ")})`}`);
  const tokens = Number(values.tokens ?? (software ? 16 : 128)); // llvmpipe does ~5 GFLOP/s: short sequences there
  let cases = values.cases!.split(",");
  if (software && cases.includes("1b") && !values["with-1b"]) {
    cases = cases.filter((c) => c !== "1b");
    console.log("note: the 1B case is skipped on a software adapter (minutes per step); run it with --with-1b");
  }
  const rows: Result[] = [];
  for (const name of cases) {
    if (!CASES[name]) throw new Error(`unknown case ${name} (have ${Object.keys(CASES).join(", ")})`);
    for (const backend of values.backends!.split(",")) {
      if (backend === "webgpu" && !probe.adapter) continue;
      console.error(`running ${name} (${formatCount(countParameters(CASES[name].config).total)} parameters) on ${backend}: batch ${batch} × ${tokens} tokens, ${steps} steps ...`);
      const args = ["--import", "tsx", __filename, "--child", name, "--backend", backend, "--batch", String(batch), "--tokens", String(tokens), "--steps", String(steps)];
      const p = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24, env: { ...process.env, HEPLLM_QUIET_BACKEND: "1" } });
      const last = p.stdout.trim().split("\n").pop() ?? "";
      if (p.status !== 0 || !last.startsWith("{")) {
        console.log(`${name} on ${backend}: failed (exit ${p.status}${p.signal ? `, ${p.signal}` : ""})`);
        continue;
      }
      rows.push(JSON.parse(last) as Result);
    }
  }
  console.log("");
  console.log(`| model | backend (device) | LoRA training tok/s | × wasm | scoring events/s | × wasm | peak GPU memory | planned step memory |`);
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const w = rows.find((x) => x.case === r.case && x.backend === "wasm");
    const ratio = (a: number, b?: number): string => (b ? `${(a / b).toFixed(2)}×` : "—");
    console.log(
      `| ${r.case} | ${r.backend} (${r.device}) | ${r.trainTokensPerSecond.toFixed(1)} | ${ratio(r.trainTokensPerSecond, w?.trainTokensPerSecond)} | ` +
        `${r.scoreEventsPerSecond.toFixed(1)} | ${ratio(r.scoreEventsPerSecond, w?.scoreEventsPerSecond)} | ${r.peakGpuBytes !== undefined ? gb(r.peakGpuBytes) : "n/a"} | ${gb(r.plannedBytes)} |`,
    );
  }
  console.log(`\nbatch ${batch} × ${tokens} tokens per step; LoRA r 8 on all projections; ${steps} timed steps after one warm-up`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
