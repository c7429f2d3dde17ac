/**
 * `npm run bench:train`: tokens/s of one LoRA training step (forward, cross-entropy, gradients
 * of the LoRA tensors, AdamW) in hepllm's tfjs decoder against the identical step in PyTorch
 * (bench/reference/lora_step.py, /usr/bin/python3 with Debian's python3-torch), both measured in
 * this run from the same weights, printed as a ratio (goal ≥ 1.0×).
 *
 * The two sides are timed in alternating rounds (tfjs k steps, torch k steps, …) so that a
 * change in the load of this shared machine hits both; each reports the median step time.
 * PyTorch runs with the thread count tfjs uses (the wasm backend is single-threaded under Node:
 * tfjs-backend-wasm disables its threaded build when IS_NODE) and again with torch's default.
 *
 * usage: node --import tsx bench/train.ts [--cases demo-1k,small-32k,small-32k-answer]
 *          [--rounds 5] [--per-round 2] [--warmup 3] [--threads 1] [--profile] [--no-default-threads]
 *   --threads N: data-parallel tfjs step over N threads (bench/train-parallel.ts); PyTorch then
 *   also gets N threads in the matched comparison.
 */
import { spawn, ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend, saveModel } from "../lib/llm";
import { SYSTEM_PYTHON } from "../test/support/shared";
import { makeParallelStep } from "./train-parallel";
import { benchBatch, BenchCase, CASES, makeTfjsStep, stepFlops, TfjsStep } from "./train-step";
import { printProfile, profileStep } from "./train-profile";

const REFERENCE = path.join(__dirname, "reference", "lora_step.py");

/** A running lora_step.py: one JSON line per command. */
class TorchServer {
  private proc: ChildProcessWithoutNullStreams;
  private lines: AsyncIterableIterator<string>;
  private stderr = "";
  threads = 0;

  constructor(modelDir: string, adapterDir: string, settings: { threads: number }) {
    // A matched thread count also caps OpenBLAS/OpenMP pools, which torch.set_num_threads may not reach.
    const env = settings.threads > 0 ? { ...process.env, OMP_NUM_THREADS: String(settings.threads), OPENBLAS_NUM_THREADS: String(settings.threads) } : process.env;
    this.proc = spawn(SYSTEM_PYTHON, [REFERENCE, modelDir, adapterDir, JSON.stringify(settings)], { env });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  private async reply(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`lora_step.py exited: ${this.stderr.trim().split("\n").slice(-5).join("\n")}`);
    const obj = JSON.parse(r.value) as Record<string, unknown>;
    if (obj.error) throw new Error(`lora_step.py: ${obj.error}`);
    return obj;
  }

  async ready(): Promise<void> {
    const r = await this.reply();
    this.threads = r.threads as number;
  }

  async gemm(m: number, k: number, n: number, reps: number): Promise<number> {
    this.proc.stdin.write(`gemm ${m} ${k} ${n} ${reps}\n`);
    return (await this.reply()).cpu as number;
  }

  async steps(n: number): Promise<Timings> {
    this.proc.stdin.write(`steps ${n}\n`);
    return (await this.reply()) as unknown as Timings;
  }

  close(): void {
    this.proc.stdin.end("quit\n");
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Per step: wall seconds, process CPU seconds (all threads), loss. */
interface Timings {
  times: number[];
  cpu: number[];
  losses: number[];
}

async function tfjsSteps(s: TfjsStep, n: number): Promise<Timings> {
  const out: Timings = { times: [], cpu: [], losses: [] };
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    out.losses.push(await s.step());
    const c = process.cpuUsage(c0);
    out.times.push((performance.now() - t0) / 1000);
    out.cpu.push((c.user + c.system) / 1e6);
  }
  return out;
}

/** Median CPU seconds of one plain 2-D tfjs product x[M,K]·w[K,N] with w fixed (a frozen projection). */
function tfjsGemm(m: number, k: number, n: number, reps: number): number {
  const x = tf.randomNormal([m, k]) as tf.Tensor2D;
  const w = tf.randomNormal([k, n]) as tf.Tensor2D;
  tf.matMul(x, w).dispose();
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const y = tf.matMul(x, w);
    y.dataSync();
    const c = process.cpuUsage(c0);
    y.dispose();
    cpu.push((c.user + c.system) / 1e6);
  }
  x.dispose();
  w.dispose();
  return median(cpu);
}

function describe(c: BenchCase): string {
  const m = c.model;
  return `V=${m.vocabSize} D=${m.hiddenSize} I=${m.intermediateSize} L=${m.numLayers} heads=${m.numHeads}/${m.numKvHeads}×${m.headDim}; B=${c.batch} T=${c.seqLen}; LoRA r=${c.lora.r} on ${c.lora.targets.map((t) => t[0]).join(",")}; loss ${c.loss === "all" ? "next-token, all positions" : "answer token only"}`;
}

const fmt = (x: number): string => x.toFixed(x >= 100 ? 0 : 1);

async function runCase(c: BenchCase, opts: { rounds: number; perRound: number; warmup: number; defaultThreads: boolean; profile: boolean; threads: number }): Promise<void> {
  console.log(`\n== ${c.name}: ${describe(c)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-bench-train-"));
  const s = opts.threads > 1 ? await makeParallelStep(c, opts.threads) : makeTfjsStep(c);
  const servers: { label: string; srv: TorchServer }[] = [];
  try {
    saveModel(s.model, path.join(dir, "model"));
    s.adapter.save(path.join(dir, "adapter"));
    const { ids, labels } = benchBatch(c);
    const settings = { ids, labels, loss: c.loss, lr: c.lr, weightDecay: c.weightDecay };
    const same = `torch ${s.threads} thread${s.threads > 1 ? "s" : ""}`;
    servers.push({ label: same, srv: new TorchServer(path.join(dir, "model"), path.join(dir, "adapter"), { ...settings, threads: s.threads }) });
    if (opts.defaultThreads) servers.push({ label: "torch default", srv: new TorchServer(path.join(dir, "model"), path.join(dir, "adapter"), { ...settings, threads: 0 }) });
    for (const x of servers) await x.srv.ready();
    if (servers.length > 1) {
      console.log(`  (torch default: no thread settings; get_num_threads() = ${servers[1].srv.threads}, but OpenBLAS/OpenMP keep their own pools)`);
    }
    // Same weights and batch: the first losses must agree (forward + the first AdamW update).
    const check = 3;
    const jsFirst = await tfjsSteps(s, check);
    const pyFirst = await servers[0].srv.steps(check);
    const lossLine = (xs: number[]): string => xs.map((x) => x.toFixed(5)).join(" ");
    console.log(`  first ${check} losses  tfjs: ${lossLine(jsFirst.losses)}   torch: ${lossLine(pyFirst.losses)}`);
    for (const x of servers.slice(1)) await x.srv.steps(opts.warmup);
    await tfjsSteps(s, Math.max(0, opts.warmup - check));
    const js: Timings = { times: [], cpu: [], losses: [] };
    const py: Timings[] = servers.map(() => ({ times: [], cpu: [], losses: [] }));
    const append = (to: Timings, from: Timings): void => {
      to.times.push(...from.times);
      to.cpu.push(...from.cpu);
    };
    for (let r = 0; r < opts.rounds; r++) {
      append(js, await tfjsSteps(s, opts.perRound));
      for (let k = 0; k < servers.length; k++) append(py[k], await servers[k].srv.steps(opts.perRound));
      process.stderr.write(`\r  round ${r + 1}/${opts.rounds}: tfjs ${(median(js.times) * 1000).toFixed(0)} ms/step`);
    }
    process.stderr.write("\n");
    const tokens = c.batch * c.seqLen;
    const wJs = median(js.times);
    const cJs = median(js.cpu);
    const line = (label: string, w: number, cpu: number, vs?: { w: number; cpu: number }): string =>
      `  ${label.padEnd(24)} ${fmt(tokens / w).padStart(7)} tokens/s wall (${(w * 1000).toFixed(0)} ms/step), ${fmt(tokens / cpu).padStart(7)} per CPU-s` +
      (vs ? `   tfjs/torch = ${(w / vs.w).toFixed(2)}× wall, ${(cpu / vs.cpu).toFixed(2)}× CPU` : "");
    console.log(line(`tfjs ${tf.getBackend()} (${s.threads} thread${s.threads > 1 ? "s" : ""})`, wJs, cJs));
    servers.forEach((x, k) => {
      console.log(line(`${x.label} (${x.srv.threads})`, median(py[k].times), median(py[k].cpu), { w: wJs, cpu: cJs }));
    });
    console.log(`  (medians of ${js.times.length} steps each; tokens = B·T = ${tokens} per step)`);
    // Roofline: the step's products at each framework's plain-GEMM speed (the MLP's shape).
    const flops = stepFlops(c);
    const [gm, gk, gn] = [tokens, c.model.hiddenSize, c.model.intermediateSize];
    const gf = 2 * gm * gk * gn;
    const gJs = gf / tfjsGemm(gm, gk, gn, 15) / 1e9;
    const gPy = gf / (await servers[0].srv.gemm(gm, gk, gn, 15)) / 1e9;
    const eff = (cpu: number): string => `${(flops / cpu / 1e9).toFixed(1)}`;
    console.log(
      `  products: ${(flops / 1e9).toFixed(2)} GFLOP/step; per CPU-s tfjs ${eff(cJs)} GFLOP/s, torch ${eff(median(py[0].cpu))} GFLOP/s; ` +
        `plain GEMM [${gm},${gk}]·[${gk},${gn}]: tfjs ${gJs.toFixed(1)}, torch ${gPy.toFixed(1)} GFLOP/s (GEMM ratio ${(gJs / gPy).toFixed(2)}×)`,
    );
    if (opts.profile && s.threads === 1) printProfile(await profileStep(s));
  } finally {
    for (const x of servers) x.srv.close();
    s.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: CASES.map((c) => c.name).join(",") },
      rounds: { type: "string", default: "5" },
      "per-round": { type: "string", default: "2" },
      warmup: { type: "string", default: "3" },
      profile: { type: "boolean", default: false },
      threads: { type: "string", default: "1" },
      "no-default-threads": { type: "boolean", default: false },
    },
  });
  process.env.HEPLLM_QUIET_BACKEND = "1";
  const backend = await initBackend(process.env.HEPLLM_BACKEND ?? "wasm");
  if (!fs.existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} not found: the PyTorch reference needs Debian's python3-torch`);
  console.log(`bench:train — tfjs ${backend} vs PyTorch (${SYSTEM_PYTHON}); ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  const names = values.cases!.split(",");
  for (const name of names) {
    const c = CASES.find((x) => x.name === name);
    if (!c) throw new Error(`--cases: unknown case ${JSON.stringify(name)} (known: ${CASES.map((x) => x.name).join(", ")})`);
    await runCase(c, {
      rounds: Number(values.rounds),
      perRound: Number(values["per-round"]),
      warmup: Number(values.warmup),
      defaultThreads: !values["no-default-threads"],
      profile: values.profile!,
      threads: Number(values.threads),
    });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
