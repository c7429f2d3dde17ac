/**
 * Profiling driver for one case's tfjs training step on the native path, 1 thread: warm-up steps,
 * then `--steps` steps timed (CPU ms/step) and, with --kernels, the per-kernel table of
 * bench/train-profile.ts. Run under `node --cpu-prof --import tsx bench/train-cpuprof.ts` for a
 * V8 profile (open the .cpuprofile in Chrome DevTools, or summarise it by self time).
 *
 * usage: node --import tsx bench/train-cpuprof.ts [--case demo-1k] [--steps 20] [--kernels]
 */
import { parseArgs } from "node:util";
import { initBackend } from "../lib/llm";
import { setNativeThreads, useNativeKernels } from "../lib/llm/kernels/native";
import { CASES, makeTfjsStep } from "./train-step";
import { printProfile, profileStep } from "./train-profile";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { case: { type: "string", default: "demo-1k" }, steps: { type: "string", default: "20" }, kernels: { type: "boolean", default: false } } });
  process.env.HEPLLM_QUIET_BACKEND = "1";
  await initBackend("wasm");
  useNativeKernels(true);
  setNativeThreads(1);
  const c = CASES.find((x) => x.name === values.case);
  if (!c) throw new Error(`--case: unknown case ${JSON.stringify(values.case)}`);
  const s = makeTfjsStep(c);
  for (let i = 0; i < 5; i++) await s.step();
  const cpu: number[] = [];
  for (let i = 0; i < Number(values.steps); i++) {
    const c0 = process.cpuUsage();
    await s.step();
    const d = process.cpuUsage(c0);
    cpu.push((d.user + d.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  console.log(`${c.name}: median ${cpu[cpu.length >> 1].toFixed(1)} CPU ms/step (min ${cpu[0].toFixed(1)}) over ${cpu.length} steps`);
  if (values.kernels) printProfile(await profileStep(s), 30);
  s.dispose();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
