/**
 * `npm run bench:train`: tokens/s of one LoRA training step (forward, cross-entropy, gradients
 * of the LoRA tensors, AdamW) in hepllm's tfjs decoder against the identical step in PyTorch
 * (bench/reference/lora_step.py, /usr/bin/python3 with Debian's python3-torch), both measured in
 * this run from the same weights, printed as a ratio (goal ≥ 1.0×).
 *
 * The two sides are timed in alternating rounds (tfjs k steps, torch k steps, …) so that a
 * change in the load of this shared machine hits both; each reports the median step time.
 * tfjs runs on the native GEMM path (lib/llm/kernels/native.ts, OpenBLAS, N threads) when it is
 * built, and on the portable wasm path (XNNPACK, single-threaded under Node); PyTorch with 1
 * thread, with N, and with its default. Each tfjs line is compared with torch on as many threads.
 *
 * usage: node --import tsx bench/train.ts [--cases demo-1k,small-32k,small-32k-answer]
 *          [--rounds 5] [--per-round 2] [--warmup 3] [--threads 1] [--data-parallel] [--no-wasm]
 *          [--profile] [--no-default-threads]
 *   --threads N: the native path's BLAS threads, and torch's in the matched comparison;
 *   --data-parallel: also the data-parallel step over N worker threads (bench/train-parallel.ts),
 *   one BLAS thread each; --no-wasm: skip the portable wasm path.
 * The last lines are the table rows of bench/README.md.
 */
import { spawn, ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend, saveModel } from "../lib/llm";
import { nativeInfo, setNativeThreads, useNativeKernels } from "../lib/llm/kernels/native";
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
    const y = tf.matMul(x, w); // synchronous on wasm and native (a read-back would add ~10 ms of copying)
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

/** One way of running the tfjs step: which kernels, how many threads. */
interface Variant {
  label: string;
  step: TfjsStep;
  threads: number;
  /** Puts the variant's kernels and BLAS pool in place (the registry is global: called before each of its rounds). */
  enter(): void;
}

async function runCase(
  c: BenchCase,
  opts: { rounds: number; perRound: number; warmup: number; defaultThreads: boolean; profile: boolean; threads: number; dataParallel: boolean; wasm: boolean },
): Promise<string[]> {
  console.log(`\n== ${c.name}: ${describe(c)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-bench-train-"));
  const n = opts.threads;
  const native = nativeInfo() !== undefined;
  const single = makeTfjsStep(c);
  const variants: Variant[] = [];
  if (native) variants.push({ label: `tfjs native`, step: single, threads: n, enter: () => (useNativeKernels(true), setNativeThreads(n)) });
  if (opts.wasm || !native) variants.push({ label: "tfjs wasm", step: single, threads: 1, enter: () => useNativeKernels(false) });
  if (opts.dataParallel && n > 1) {
    // Workers: own tfjs instances, native kernels when built, one BLAS thread each (the pool is per process).
    const dp = await makeParallelStep(c, n);
    variants.push({ label: `tfjs ${native ? "native" : "wasm"} data-parallel`, step: dp, threads: n, enter: () => (useNativeKernels(native), setNativeThreads(1)) });
  }
  const servers: { label: string; srv: TorchServer }[] = [];
  const rows: string[] = [];
  try {
    saveModel(single.model, path.join(dir, "model"));
    single.adapter.save(path.join(dir, "adapter"));
    const { ids, labels } = benchBatch(c);
    const settings = { ids, labels, loss: c.loss, lr: c.lr, weightDecay: c.weightDecay };
    const torchAt = (threads: number): TorchServer => new TorchServer(path.join(dir, "model"), path.join(dir, "adapter"), { ...settings, threads });
    servers.push({ label: "torch 1 thread", srv: torchAt(1) });
    if (n > 1) servers.push({ label: `torch ${n} threads`, srv: torchAt(n) });
    if (opts.defaultThreads) servers.push({ label: "torch default", srv: torchAt(0) });
    for (const x of servers) await x.srv.ready();
    if (opts.defaultThreads) {
      console.log(`  (torch default: no thread settings; get_num_threads() = ${servers[servers.length - 1].srv.threads}, but OpenBLAS/OpenMP keep their own pools)`);
    }
    // Same weights and batch: the first losses must agree (forward + the first AdamW update).
    const check = 3;
    variants[0].enter();
    const jsFirst = await tfjsSteps(single, check);
    const pyFirst = await servers[0].srv.steps(check);
    const lossLine = (xs: number[]): string => xs.map((x) => x.toFixed(5)).join(" ");
    console.log(`  first ${check} losses  ${variants[0].label}: ${lossLine(jsFirst.losses)}   torch: ${lossLine(pyFirst.losses)}`);
    for (const x of servers.slice(1)) await x.srv.steps(opts.warmup);
    for (const v of variants) {
      v.enter();
      await tfjsSteps(v.step, v.step === single ? Math.max(0, opts.warmup - check) : opts.warmup);
    }
    const js: Timings[] = variants.map(() => ({ times: [], cpu: [], losses: [] }));
    const py: Timings[] = servers.map(() => ({ times: [], cpu: [], losses: [] }));
    const append = (to: Timings, from: Timings): void => {
      to.times.push(...from.times);
      to.cpu.push(...from.cpu);
    };
    for (let r = 0; r < opts.rounds; r++) {
      for (const [k, v] of variants.entries()) {
        v.enter();
        append(js[k], await tfjsSteps(v.step, opts.perRound));
      }
      for (let k = 0; k < servers.length; k++) append(py[k], await servers[k].srv.steps(opts.perRound));
      process.stderr.write(`\r  round ${r + 1}/${opts.rounds}: ${variants[0].label} ${(median(js[0].times) * 1000).toFixed(0)} ms/step`);
    }
    process.stderr.write("\n");
    const tokens = c.batch * c.seqLen;
    const th = (t: number): string => `${t} thread${t > 1 ? "s" : ""}`;
    const line = (label: string, w: number, cpu: number, vs?: { w: number; cpu: number }): string =>
      `  ${label.padEnd(36)} ${fmt(tokens / w).padStart(7)} tokens/s wall (${(w * 1000).toFixed(0)} ms/step), ${fmt(tokens / cpu).padStart(7)} per CPU-s` +
      (vs ? `   tfjs/torch = ${(vs.w / w).toFixed(2)}× wall, ${(vs.cpu / cpu).toFixed(2)}× CPU` : "");
    servers.forEach((x, k) => console.log(line(`${x.label} (${x.srv.threads})`, median(py[k].times), median(py[k].cpu))));
    variants.forEach((v, k) => {
      // Against torch on the same number of threads (the first server is 1 thread, the second n).
      const ref = v.threads > 1 ? 1 : 0;
      const vs = { w: median(py[ref].times), cpu: median(py[ref].cpu) };
      const w = median(js[k].times);
      const cpu = median(js[k].cpu);
      console.log(line(`${v.label} (${th(v.threads)})`, w, cpu, vs) + ` [vs ${servers[ref].label}]`);
      rows.push(
        `| training ${c.name}, ${v.label}, ${th(v.threads)} | ${fmt(tokens / cpu)} tok/CPU-s (${fmt(tokens / w)} tok/s) | ` +
          `${servers[ref].label}: ${fmt(tokens / vs.cpu)} tok/CPU-s (${fmt(tokens / vs.w)} tok/s) | **${(vs.cpu / cpu).toFixed(2)}×** CPU (${(vs.w / w).toFixed(2)}× wall) |`,
      );
    });
    console.log(`  (medians of ${js[0].times.length} steps each; tokens = B·T = ${tokens} per step; ratio > 1: tfjs faster)`);
    // Roofline: the step's products at each path's plain-GEMM speed (the MLP's shape), per CPU-s.
    const flops = stepFlops(c);
    const [gm, gk, gn] = [tokens, c.model.hiddenSize, c.model.intermediateSize];
    const gf = 2 * gm * gk * gn;
    const gPy = gf / (await servers[0].srv.gemm(gm, gk, gn, 15)) / 1e9;
    const gemms = variants.filter((v) => v.step === single).map((v) => {
      v.enter();
      return `${v.label} ${(gf / tfjsGemm(gm, gk, gn, 15) / 1e9).toFixed(1)}`;
    });
    console.log(`  products: ${(flops / 1e9).toFixed(2)} GFLOP/step; plain GEMM [${gm},${gk}]·[${gk},${gn}] per CPU-s: ${gemms.join(", ")}, torch 1 thread ${gPy.toFixed(1)} GFLOP/s`);
    if (opts.profile) {
      variants[0].enter();
      printProfile(await profileStep(single));
    }
  } finally {
    for (const x of servers) x.srv.close();
    for (const v of new Set(variants.map((x) => x.step))) v.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
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
      "data-parallel": { type: "boolean", default: false },
      "no-wasm": { type: "boolean", default: false },
      "no-default-threads": { type: "boolean", default: false },
    },
  });
  process.env.HEPLLM_QUIET_BACKEND = "1";
  const backend = await initBackend(process.env.HEPLLM_BACKEND ?? "wasm");
  if (!fs.existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} not found: the PyTorch reference needs Debian's python3-torch`);
  console.log(`bench:train — tfjs ${backend} vs PyTorch (${SYSTEM_PYTHON}); ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  const info = nativeInfo();
  console.log(`  native GEMM: ${info ? info.config : "not built (npm run build:native); tfjs runs the portable wasm path"}`);
  const names = values.cases!.split(",");
  const rows: string[] = [];
  for (const name of names) {
    const c = CASES.find((x) => x.name === name);
    if (!c) throw new Error(`--cases: unknown case ${JSON.stringify(name)} (known: ${CASES.map((x) => x.name).join(", ")})`);
    rows.push(...await runCase(c, {
      rounds: Number(values.rounds),
      perRound: Number(values["per-round"]),
      warmup: Number(values.warmup),
      defaultThreads: !values["no-default-threads"],
      profile: values.profile!,
      threads: Number(values.threads),
      dataParallel: values["data-parallel"]!,
      wasm: !values["no-wasm"],
    }));
  }
  console.log(`\n| figure | tfjs | reference (same run) | ratio |\n|---|---|---|---|\n${rows.join("\n")}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
