/**
 * `npm run bench:gemm`: GFLOP/s of the training step's matrix products on hepllm's three paths —
 * stock tfjs-wasm (XNNPACK), the native addon (lib/llm/kernels/native.ts, OpenBLAS on the wasm
 * heap) at 1 and 2 threads — against the same products in numpy on the same OpenBLAS
 * (bench/gemm-reference.py, /usr/bin/python3), measured in this run. Rounds alternate (tfjs,
 * numpy, tfjs, …) so load changes hit both; medians. Printed per path: GFLOP per CPU-second (all
 * threads of the process; the figure to read on a shared machine) and per wall-second.
 *
 * usage: node --import tsx bench/gemm.ts [--rounds 3] [--reps 5] [--threads 1,2] [--shapes mlp,dx,dw,head,attn]
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/llm";
import { nativeInfo, setNativeThreads, useNativeKernels } from "../lib/llm/kernels/native";
import { SYSTEM_PYTHON } from "../test/support/shared";

/** One product op(A)·op(B), batch × [m,k]·[k,n]; ta/tb: the operand is stored transposed. */
interface Shape {
  name: string;
  what: string;
  batch: number;
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
}

/** The step's products (bench/train-step.ts: B·T = 512 tokens, D = 256, I = 688, 32k head, 16 groups). */
const SHAPES: Shape[] = [
  { name: "mlp", what: "MLP up x·W [512,256]·[256,688]", batch: 1, m: 512, k: 256, n: 688, ta: false, tb: false },
  { name: "dx", what: "dX = dY·Wᵀ [512,688]·[256,688]ᵀ", batch: 1, m: 512, k: 688, n: 256, ta: false, tb: true },
  { name: "dw", what: "dW = Xᵀ·dY [512,256]ᵀ·[512,688]", batch: 1, m: 256, k: 512, n: 688, ta: true, tb: false },
  { name: "head", what: "head [512,256]·[256,32768]", batch: 1, m: 512, k: 256, n: 32768, ta: false, tb: false },
  { name: "attn", what: "scores 16×[128,32]·[128,32]ᵀ", batch: 16, m: 128, k: 32, n: 128, ta: false, tb: true },
];

const flops = (s: Shape): number => 2 * s.batch * s.m * s.k * s.n;

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** Median CPU and wall seconds of one tf.matMul of shape s on the kernels now registered. */
function tfjsTime(s: Shape, reps: number): { cpu: number; wall: number } {
  const a = tf.randomNormal(s.batch > 1 ? [s.batch, ...(s.ta ? [s.k, s.m] : [s.m, s.k])] : s.ta ? [s.k, s.m] : [s.m, s.k]);
  const b = tf.randomNormal(s.batch > 1 ? [s.batch, ...(s.tb ? [s.n, s.k] : [s.k, s.n])] : s.tb ? [s.n, s.k] : [s.k, s.n]);
  const once = (): void => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, s.ta, s.tb).dispose();
  once();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    once();
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - w0) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  tf.dispose([a, b]);
  return { cpu: median(cpu), wall: median(wall) };
}

interface Sample {
  cpu: number[];
  wall: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "3" },
      reps: { type: "string", default: "5" },
      threads: { type: "string", default: "1,2" },
      shapes: { type: "string", default: SHAPES.map((s) => s.name).join(",") },
    },
  });
  process.env.HEPLLM_QUIET_BACKEND = "1";
  await initBackend("wasm");
  const info = nativeInfo();
  const threads = values.threads!.split(",").map(Number);
  const shapes = values.shapes!.split(",").map((n) => {
    const s = SHAPES.find((x) => x.name === n);
    if (!s) throw new Error(`--shapes: unknown ${JSON.stringify(n)} (known: ${SHAPES.map((x) => x.name).join(", ")})`);
    return s;
  });
  const rounds = Number(values.rounds);
  const reps = Number(values.reps);
  console.log(`bench:gemm — ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}; native: ${info ? info.config : "not built (npm run build:native)"}`);
  const paths = ["wasm", ...(info ? threads.map((t) => `native ${t}t`) : [])];
  const ours = new Map<string, Sample>();
  const ref = new Map<string, Sample>();
  const add = (m: Map<string, Sample>, key: string, t: { cpu: number; wall: number }): void => {
    if (!m.has(key)) m.set(key, { cpu: [], wall: [] });
    m.get(key)!.cpu.push(t.cpu);
    m.get(key)!.wall.push(t.wall);
  };
  let blas = "?";
  for (let r = 0; r < rounds; r++) {
    for (const p of paths) {
      if (p === "wasm") useNativeKernels(false);
      else {
        useNativeKernels(true);
        setNativeThreads(Number(p.split(" ")[1].replace("t", "")));
      }
      for (const s of shapes) add(ours, `${p}|${s.name}`, tfjsTime(s, s.name === "head" && p === "wasm" ? Math.min(reps, 3) : reps));
    }
    const cfg = { threads, reps, shapes };
    const py = spawnSync(SYSTEM_PYTHON, [path.join(__dirname, "gemm-reference.py"), JSON.stringify(cfg)], { encoding: "utf8" });
    if (py.status !== 0) throw new Error(`gemm-reference.py failed: ${py.stderr.trim().split("\n").slice(-3).join(" ")}`);
    const out = JSON.parse(py.stdout) as { blas: string; results: { threads: number; shape: number; cpu: number; wall: number }[] };
    blas = out.blas;
    for (const x of out.results) add(ref, `openblas ${x.threads}t|${shapes[x.shape].name}`, x);
    process.stderr.write(`\r  round ${r + 1}/${rounds}`);
  }
  process.stderr.write("\n");
  console.log(`reference: numpy on ${blas}; GFLOP/s per CPU-second (per wall-second); ratio = native / OpenBLAS at the same threads, per CPU-s (wall)`);
  const g = (s: Shape, x: Sample | undefined, k: "cpu" | "wall"): number => (x ? flops(s) / median(x[k]) / 1e9 : NaN);
  const cols = [...paths, ...threads.map((t) => `openblas ${t}t`)];
  console.log(`| product | ${cols.join(" | ")} | ${threads.map((t) => `ratio ${t}t`).join(" | ")} |`);
  console.log(`|---|${cols.map(() => "---").join("|")}|${threads.map(() => "---").join("|")}|`);
  for (const s of shapes) {
    const cell = (key: string, m: Map<string, Sample>): string => {
      const x = m.get(`${key}|${s.name}`);
      return x ? `${g(s, x, "cpu").toFixed(1)} (${g(s, x, "wall").toFixed(1)})` : "–";
    };
    const ratio = (t: number): string => {
      const n = ours.get(`native ${t}t|${s.name}`);
      const o = ref.get(`openblas ${t}t|${s.name}`);
      return n && o ? `${(g(s, n, "cpu") / g(s, o, "cpu")).toFixed(2)}× (${(g(s, n, "wall") / g(s, o, "wall")).toFixed(2)}×)` : "–";
    };
    console.log(`| ${s.what} | ${cols.map((c) => cell(c, c.startsWith("openblas") ? ref : ours)).join(" | ")} | ${threads.map(ratio).join(" | ")} |`);
  }
  console.log(`(medians over ${rounds} rounds × ${reps} products; shared machine: neighbours' load moves wall times most)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
