/**
 * One fuzz worker thread: builds one format's seeds, then runs inputs [from, to) of the seeded
 * stream, telling the parent before each input starts (so it can spot a hang and terminate this
 * thread) and how each ended: ok, clean error, or crash (with the reason).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import fc from "fast-check";
import { FUZZ_FORMATS } from "../../test/fuzz/formats";

export interface WorkerJob {
  format: string;
  seed: number;
  from: number;
  to: number;
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "start"; i: number; input: string }
  | { type: "done"; i: number; outcome: "ok" | "clean" | "crash"; reason?: string; heap: number; rss: number; external: number }
  | { type: "finished" };

/** Inputs are drawn in batches of BATCH from seed + batch index: input i is the same in every run. */
const BATCH = 100;

async function main(): Promise<void> {
  const job = workerData as WorkerJob;
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  const format = FUZZ_FORMATS.find((f) => f.name === job.format)!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hepllm-bench-fuzz-${format.name}-`));
  try {
    const c = await format.setup(dir);
    post({ type: "ready" });
    for (let b = Math.floor(job.from / BATCH); b * BATCH < job.to; b++) {
      const inputs = fc.sample(c.arbitrary, { seed: job.seed + b, numRuns: BATCH });
      for (let k = 0; k < BATCH; k++) {
        const i = b * BATCH + k;
        if (i < job.from || i >= job.to) continue;
        post({ type: "start", i, input: describe(inputs[k]) });
        let outcome: "ok" | "clean" | "crash" = "ok";
        let reason: string | undefined;
        try {
          await c.run(inputs[k]);
        } catch (err) {
          reason = c.unclean(err);
          outcome = reason ? "crash" : "clean";
        }
        const m = process.memoryUsage();
        post({ type: "done", i, outcome, reason, heap: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers });
      }
    }
    post({ type: "finished" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function describe(x: unknown): string {
  try {
    const s = JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    return s.length > 400 ? `${s.slice(0, 400)}...` : s;
  } catch {
    return "(not printable)";
  }
}

void main();
