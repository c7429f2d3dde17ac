/**
 * `npm run bench:large`: LoRA fine-tuning of 7B-class models on a CPU workstation. Random-weight
 * models with the real configs of TinyLlama-1.1B and Mistral-7B, frozen weights held as bfloat16
 * on the host (low-memory mode: each projection is expanded to float32 for its product in the
 * forward pass and again in the backward), LoRA r = 8 on q/k/v/o, one AdamW step on a
 * cross-entropy loss over random targets. Each case runs in a child process of its own, so its
 * peak RSS (getrusage maxrss) is its alone; the table gives build time, forward time, seconds
 * per training step, tokens/s and peak RSS against the goals (TinyLlama ≤ 6 GB, Mistral-7B ≤ 18 GB).
 *
 * usage: node --import tsx bench/large.ts [--cases tinyllama-1.1b,mistral-7b] [--tokens N] [--steps K]
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { applyLora, initBackend } from "../lib/llm";
import { ModelConfig } from "../lib/llm/model/config";
import { buildDecoder, WeightSource } from "../lib/llm/model/model";
import { f32ToBf16 } from "../lib/llm/io/half";
import { availableHostBytes, checkPlan, countParameters, formatCount, gb, memoryPlan } from "../lib/llm/model/memory-plan";
import { AdamW } from "../lib/train/adamw";
import { optimiserStep } from "../lib/train/step";
import { Rng } from "../lib/util/rng";

interface LargeCase {
  name: string;
  config: ModelConfig;
  /** Tokens in the step's one sequence. */
  tokens: number;
  /** Peak RSS goal, bytes. */
  goalRss: number;
}

const GB = 1e9;
const CASES: LargeCase[] = [
  {
    name: "tinyllama-1.1b", // TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T config.json
    config: { modelType: "llama", vocabSize: 32000, hiddenSize: 2048, intermediateSize: 5632, numLayers: 22, numHeads: 32, numKvHeads: 4, headDim: 64, ropeTheta: 10000, rmsNormEps: 1e-5, slidingWindow: null, tieWordEmbeddings: false, maxPositionEmbeddings: 2048 },
    tokens: 128,
    goalRss: 6 * GB,
  },
  {
    name: "mistral-7b", // mistralai/Mistral-7B-v0.1 config.json
    config: { modelType: "mistral", vocabSize: 32000, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128, ropeTheta: 10000, rmsNormEps: 1e-5, slidingWindow: 4096, tieWordEmbeddings: false, maxPositionEmbeddings: 32768 },
    tokens: 64,
    goalRss: 18 * GB,
  },
];

interface CaseResult {
  name: string;
  params: number;
  tokens: number;
  buildSeconds: number;
  forwardSeconds: number;
  stepSeconds: number[];
  peakRssBytes: number;
  goalRss: number;
  loss: number;
}

/**
 * Random weights, cheaply: one pool of 2^20 normal draws (std 0.02, as transformers initialises)
 * tiled with a per-tensor offset, handed over as bfloat16 bits as a bf16 checkpoint's are (so the
 * build, like loading a real bf16 file in low-memory mode, never holds a matrix as float32). The
 * values only need to be finite and varied; drawing 7·10^9 fresh normals would take minutes and
 * measure nothing.
 */
function randomSource(seed: number): WeightSource {
  const rng = new Rng(seed);
  const draws = new Float32Array(1 << 20);
  for (let i = 0; i < draws.length; i++) draws[i] = 0.02 * rng.normal();
  const pool = f32ToBf16(draws);
  let offset = 0;
  return (_name, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1) return new Float32Array(n).fill(1); // RMSNorm gains
    const out = new Uint16Array(n);
    offset = (offset + 7919) % pool.length;
    // The pool repeated from `offset`, wrapping around.
    for (let i = 0, k = offset; i < n; k = 0) {
      const len = Math.min(pool.length - k, n - i);
      out.set(pool.subarray(k, k + len), i);
      i += len;
    }
    return { bf16: out };
  };
}

async function runCase(c: LargeCase, steps: number): Promise<CaseResult> {
  await initBackend();
  const plan = memoryPlan(c.config, { lowMemory: true, diskDtype: "random" });
  checkPlan(c.name, plan, tf.getBackend());
  let t0 = Date.now();
  const model = buildDecoder(c.config, randomSource(1), { lowMemory: true });
  const buildSeconds = (Date.now() - t0) / 1000;
  const lora = applyLora(model, { r: 8, alpha: 16, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj"], seed: 3 });
  const opt = new AdamW([{ name: "lora", variables: lora.variables(), lrScale: 1, weightDecay: 0.01 }]);
  const rng = new Rng(5);
  const ids = Array.from({ length: c.tokens }, () => 3 + rng.int(c.config.vocabSize - 3));
  const targets = ids.slice(1).concat([2]);
  const input = tf.tensor2d([ids], [1, c.tokens], "int32");
  const loss = (): tf.Scalar => {
    const logits = model.forward(input).reshape([c.tokens, c.config.vocabSize]);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(targets, "int32"), c.config.vocabSize), logits) as tf.Scalar;
  };
  t0 = Date.now();
  const fl = tf.tidy(() => loss().dataSync()[0]);
  const forwardSeconds = (Date.now() - t0) / 1000;
  const stepSeconds: number[] = [];
  let last = fl;
  lora.setTraining(true);
  for (let s = 0; s < steps; s++) {
    t0 = Date.now();
    last = optimiserStep(opt, [loss], 1e-4, 1.0).loss;
    stepSeconds.push((Date.now() - t0) / 1000);
  }
  input.dispose();
  return {
    name: c.name, params: countParameters(c.config).total, tokens: c.tokens, buildSeconds, forwardSeconds, stepSeconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024, goalRss: c.goalRss, loss: last,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: CASES.map((c) => c.name).join(",") },
      tokens: { type: "string" },
      steps: { type: "string", default: "2" },
      child: { type: "string" },
    },
  });
  const steps = Number(values.steps);
  const pick = (name: string): LargeCase => {
    const c = CASES.find((x) => x.name === name);
    if (!c) throw new Error(`unknown case ${name} (have ${CASES.map((x) => x.name).join(", ")})`);
    return values.tokens ? { ...c, tokens: Number(values.tokens) } : c;
  };
  if (values.child) {
    // Child: run one case, print its result as the last line.
    const r = await runCase(pick(values.child), steps);
    console.log(JSON.stringify(r));
    return;
  }
  console.log(`bench:large on ${os.cpus().length} cores, ${gb(os.totalmem())} RAM (${gb(availableHostBytes())} available); wasm backend, one thread`);
  const rows: CaseResult[] = [];
  for (const name of values.cases!.split(",")) {
    const c = pick(name);
    console.error(`running ${name}: ${formatCount(countParameters(c.config).total)} parameters, ${c.tokens} tokens, ${steps} steps ...`);
    const args = ["--import", "tsx", __filename, "--child", name, "--steps", String(steps), ...(values.tokens ? ["--tokens", values.tokens] : [])];
    const p = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
    const last = p.stdout.trim().split("\n").pop() ?? "";
    if (p.status !== 0 || !last.startsWith("{")) {
      console.log(`| ${name} | failed (exit ${p.status}${p.signal ? `, ${p.signal}` : ""}) |`);
      continue;
    }
    rows.push(JSON.parse(last) as CaseResult);
  }
  console.log("");
  console.log("| model | parameters | tokens/step | build (s) | forward (s) | train step (s) | tokens/s | peak RSS | goal | met |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const step = Math.min(...r.stepSeconds);
    console.log(
      `| ${r.name} | ${formatCount(r.params)} | ${r.tokens} | ${r.buildSeconds.toFixed(0)} | ${r.forwardSeconds.toFixed(1)} | ${step.toFixed(1)} | ` +
        `${(r.tokens / step).toFixed(2)} | ${gb(r.peakRssBytes)} | ≤ ${gb(r.goalRss)} | ${r.peakRssBytes <= r.goalRss ? "yes" : "NO"} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
