/**
 * A data-parallel LoRA step over worker threads: the batch's rows are split into `threads`
 * shards; the main thread computes shard 0 while each worker (its own wasm instance, its own
 * copy of the frozen model built from the same seed) computes one other shard. The LoRA
 * gradients are small (r·(in + out) per projection), so the only traffic per step is the current
 * adapter to each worker and its gradients back; the main thread averages them with the shards'
 * loss weights (exactly the full-batch mean) and applies AdamW to its own copy.
 */
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { AdamW } from "../lib/train/adamw";
import { BenchCase, makeShard, TfjsStep } from "./train-step";

interface Reply {
  loss: number;
  weight: number;
  grads: Float32Array[];
}

/** Rows of shard k of n over a batch of b rows (as even as possible). */
export function shardRows(b: number, n: number, k: number): [number, number] {
  return [Math.floor((k * b) / n), Math.floor(((k + 1) * b) / n)];
}

class GradWorker {
  private w: Worker;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failed: Error | undefined;
  readonly ready: Promise<void>;

  constructor(caseName: string, rows: [number, number], seed: number) {
    const boot = `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(path.join(__dirname, "train-worker.ts"))});`;
    this.w = new Worker(boot, { eval: true, workerData: { caseName, rows, seed } });
    let started: (() => void) | undefined;
    this.ready = new Promise((resolve, reject) => {
      started = resolve;
      this.pending = { resolve: () => undefined, reject };
    });
    this.w.on("message", (m: Reply | "ready") => {
      if (m === "ready") return started!();
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(m);
    });
    this.w.on("error", (e) => {
      this.failed = e;
      this.pending?.reject(e);
    });
  }

  request(lora: Float32Array[]): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.w.postMessage(lora);
    });
  }

  terminate(): void {
    void this.w.terminate();
  }
}

export async function makeParallelStep(c: BenchCase, threads: number, seed = 0): Promise<TfjsStep> {
  if (threads < 2 || threads > c.batch) throw new Error(`data-parallel step: threads must be in 2..${c.batch}, got ${threads}`);
  const main = makeShard(c, shardRows(c.batch, threads, 0), seed);
  const workers = Array.from({ length: threads - 1 }, (_, k) => new GradWorker(c.name, shardRows(c.batch, threads, k + 1), seed));
  await Promise.all(workers.map((w) => w.ready));
  const opt = new AdamW([{ name: "lora", variables: main.vars, lrScale: 1, weightDecay: c.weightDecay }]);
  return {
    model: main.model,
    adapter: main.adapter,
    threads,
    async step() {
      const lora = main.vars.map((v) => v.dataSync() as Float32Array);
      const replies = workers.map((w) => w.request(lora));
      const mine = main.lossAndGrads();
      const others = await Promise.all(replies);
      const total = main.weight + others.reduce((a, r) => a + r.weight, 0);
      const loss = (main.weight * mine.loss + others.reduce((a, r) => a + r.weight * r.loss, 0)) / total;
      const grads = tf.tidy(() =>
        mine.grads.map((g, i) => others.reduce((acc, r) => tf.add(acc, tf.mul(tf.tensor(r.grads[i], g.shape), r.weight / total)), tf.mul(g, main.weight / total))),
      );
      tf.dispose(mine.grads);
      opt.apply(new Map(main.vars.map((v, i) => [v, grads[i]] as [tf.Variable, tf.Tensor])), c.lr);
      tf.dispose(grads);
      return loss;
    },
    dispose() {
      for (const w of workers) w.terminate();
      opt.dispose();
      main.dispose();
    },
  };
}
