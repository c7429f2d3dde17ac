/**
 * Where a tfjs training step spends its time: `tf.profile` of one step (each kernel timed in
 * process CPU time), grouped by kernel name, and matMuls further by
 * operand shapes (2-D vs rank-3 batched; "T" marks operands whose shapes only fit with a
 * transpose flag, the slow path on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { TfjsStep } from "./train-step";

export interface KernelRow {
  key: string;
  calls: number;
  ms: number;
}

export interface StepProfile {
  totalMs: number;
  kernelMs: number;
  kernels: number;
  byName: KernelRow[];
  matMuls: KernelRow[];
}

function matMulKey(inputs: number[][], out: number[]): string {
  const [a, b] = inputs;
  const rank = a.length;
  const ka = a[rank - 1];
  const kb = b[rank - 2];
  const plain = ka === kb && out[rank - 2] === a[rank - 2] && out[rank - 1] === b[rank - 1];
  return `${rank === 2 ? "2-D" : `batch ${a.slice(0, -2).join("×")}`} [${a.slice(-2)}]·[${b.slice(-2)}]${plain ? "" : " T"}`;
}

/** Profiles one full step (forward, backward, update, loss read-back). */
export async function profileStep(s: TfjsStep): Promise<StepProfile> {
  let totalMs = 0;
  // Time each kernel in process CPU time rather than wall time: on a shared, loaded machine the
  // wall clock mostly measures the other processes.
  const backend = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
  const wallTime = backend.time;
  backend.time = async (f: () => void) => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return { kernelMs: (c.user + c.system) / 1000 };
  };
  let info: Awaited<ReturnType<typeof tf.profile>>;
  try {
    info = await tf.profile(async () => {
      const c0 = process.cpuUsage();
      await s.step();
      const c = process.cpuUsage(c0);
      totalMs = (c.user + c.system) / 1000;
    });
  } finally {
    backend.time = wallTime;
  }
  const byName = new Map<string, KernelRow>();
  const matMuls = new Map<string, KernelRow>();
  let kernelMs = 0;
  const add = (m: Map<string, KernelRow>, key: string, ms: number): void => {
    const row = m.get(key) ?? { key, calls: 0, ms: 0 };
    row.calls++;
    row.ms += ms;
    m.set(key, row);
  };
  for (const k of info.kernels) {
    if (tf.getKernel(k.name, tf.getBackend()) === undefined) continue; // a customGrad/tidy scope: its kernels are listed too
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    kernelMs += ms;
    add(byName, k.name, ms);
    if (k.name === "BatchMatMul" || k.name === "_FusedMatMul" || k.name === "HepllmGroupMatMul") add(matMuls, matMulKey(k.inputShapes, k.outputShapes[0]), ms);
  }
  const sorted = (m: Map<string, KernelRow>): KernelRow[] => [...m.values()].sort((a, b) => b.ms - a.ms);
  return { totalMs, kernelMs, kernels: info.kernels.length, byName: sorted(byName), matMuls: sorted(matMuls) };
}

export function printProfile(p: StepProfile, top = 18): void {
  console.log(`  profile (CPU time): ${p.kernels} kernel calls, ${p.kernelMs.toFixed(0)} ms in kernels of ${p.totalMs.toFixed(0)} ms for the step (profiling adds overhead)`);
  const pct = (ms: number): string => `${((100 * ms) / p.kernelMs).toFixed(1).padStart(5)}%`;
  for (const r of p.byName.slice(0, top)) console.log(`    ${r.key.padEnd(22)} ${String(r.calls).padStart(5)} calls ${r.ms.toFixed(1).padStart(8)} ms ${pct(r.ms)}`);
  console.log("  matMul by shape:");
  for (const r of p.matMuls.slice(0, top)) console.log(`    ${r.key.padEnd(40)} ${String(r.calls).padStart(4)} calls ${r.ms.toFixed(1).padStart(8)} ms ${pct(r.ms)}`);
}
