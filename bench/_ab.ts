import { initBackend } from "../lib/llm";
import { CASES, makeTfjsStep } from "./train-step";
(async () => {
  process.env.HEPLLM_QUIET_BACKEND = "1";
  await initBackend("wasm");
  const c = CASES.find((x) => x.name === (process.argv[2] ?? "demo-1k"))!;
  const s = makeTfjsStep(c);
  const n = Number(process.argv[3] ?? 8);
  const cpu: number[] = [];
  let loss = 0;
  for (let i = 0; i < n + 2; i++) {
    const c0 = process.cpuUsage();
    loss = await s.step();
    const d = process.cpuUsage(c0);
    if (i >= 2) cpu.push((d.user + d.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  console.log(`${process.cwd()} ${c.name}: CPU ms/step median ${cpu[cpu.length >> 1].toFixed(0)} min ${cpu[0].toFixed(0)} (loss ${loss.toFixed(5)})`);
})();
