import { initBackend } from "../lib/llm";
import { CASES, makeTfjsStep } from "./train-step";
import { printProfile, profileStep } from "./train-profile";
(async () => {
  process.env.HEPLLM_QUIET_BACKEND = "1";
  await initBackend("wasm");
  const s = makeTfjsStep(CASES.find((x) => x.name === (process.argv[2] ?? "demo-1k"))!);
  await s.step(); await s.step();
  printProfile(await profileStep(s), 30);
})();
