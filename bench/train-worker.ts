/**
 * One worker of bench/train-parallel.ts: builds its shard (same seed, hence the same frozen
 * weights and initial adapter as the main thread), then per message: set the adapter to the
 * values received, reply with loss, shard weight and gradients.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/llm";
import { CASES, makeShard } from "./train-step";

async function main(): Promise<void> {
  process.env.HEPLLM_QUIET_BACKEND = "1";
  await initBackend(process.env.HEPLLM_BACKEND ?? "wasm");
  const { caseName, rows, seed } = workerData as { caseName: string; rows: [number, number]; seed: number };
  const c = CASES.find((x) => x.name === caseName);
  if (!c) throw new Error(`train-worker: unknown case ${caseName}`);
  const shard = makeShard(c, rows, seed);
  const port = parentPort!;
  port.on("message", (lora: Float32Array[]) => {
    tf.tidy(() => shard.vars.forEach((v, i) => v.assign(tf.tensor(lora[i], v.shape))));
    const { loss, grads } = shard.lossAndGrads();
    const arrays = grads.map((g) => g.dataSync() as Float32Array);
    tf.dispose(grads);
    port.postMessage({ loss, weight: shard.weight, grads: arrays }, arrays.map((a) => a.buffer));
  });
  port.postMessage("ready");
}

main().catch((err) => {
  throw err;
});
