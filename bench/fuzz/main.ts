/**
 * `npm run bench:fuzz` — ≥ 10,000 seeded, mutated inputs per untrusted-input format, each run in a
 * worker thread under watch: an input that runs past 5 s is a hang (the thread is terminated and a
 * fresh one resumes at the next input); an uncaught error or a dead thread (e.g. out of memory) is
 * a crash, as is any error that is not a clean hepllm error (test/fuzz/clean-error.ts).
 *
 *   nice -n 10 npm run bench:fuzz                       # all formats, 10,000 inputs each
 *   npm run bench:fuzz -- --n 500 --formats jsonl,safetensors --seed 7
 */
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import { FUZZ_FORMATS } from "../../test/fuzz/formats";
import type { WorkerJob, WorkerMessage } from "./worker";

const HANG_MS = 5000;
/** Old-space cap per worker: a header-driven allocation shows up as a dead worker, not a dead machine. */
const WORKER_HEAP_MB = 1024;

interface Tally {
  format: string;
  inputs: number;
  ok: number;
  clean: number;
  crashes: number;
  hangs: number;
  peakRss: number;
  peakHeap: number;
  peakExternal: number;
  slowestMs: number;
  seconds: number;
  reasons: Map<string, number>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** Runs inputs [0, n) of one format, restarting the worker after a hang or a crash. */
function fuzzOne(format: string, n: number, seed: number): Promise<Tally> {
  const t: Tally = { format, inputs: 0, ok: 0, clean: 0, crashes: 0, hangs: 0, peakRss: 0, peakHeap: 0, peakExternal: 0, slowestMs: 0, seconds: 0, reasons: new Map() };
  const t0 = Date.now();
  const note = (why: string): void => {
    const key = why.split("\n")[0].slice(0, 160);
    if (!t.reasons.has(key)) console.log(`  ${format}: ${why}`);
    t.reasons.set(key, (t.reasons.get(key) ?? 0) + 1);
  };
  return new Promise((resolve) => {
    const startWorker = (from: number): void => {
      if (from >= n) {
        t.seconds = (Date.now() - t0) / 1000;
        resolve(t);
        return;
      }
      const job: WorkerJob = { format, seed, from, to: n };
      const w = new Worker(path.join(__dirname, "worker.js"), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, stderr: true, stdout: true });
      // libhdf5 prints its error stack for every corrupt file: not wanted in the table output.
      w.stderr.resume();
      w.stdout.resume();
      let current = -1; // input in progress (-1: none)
      let startedAt = 0;
      let currentInput = "";
      let done = false;
      const finish = (next: number): void => {
        if (done) return;
        done = true;
        clearInterval(timer);
        startWorker(next);
      };
      const timer = setInterval(() => {
        if (current >= 0 && Date.now() - startedAt > HANG_MS) {
          t.hangs++;
          t.inputs++;
          note(`hang: input ${current} ran past ${HANG_MS} ms\n  input: ${currentInput}`);
          const next = current + 1;
          current = -1;
          void w.terminate();
          finish(next);
        }
        t.peakRss = Math.max(t.peakRss, process.memoryUsage().rss);
      }, 100);
      w.on("message", (m: WorkerMessage) => {
        if (m.type === "start") {
          current = m.i;
          currentInput = m.input;
          startedAt = Date.now();
        } else if (m.type === "done") {
          t.inputs++;
          t[m.outcome === "ok" ? "ok" : m.outcome === "clean" ? "clean" : "crashes"]++;
          if (m.reason) note(`crash at input ${m.i}: ${m.reason}\n  input: ${currentInput}`);
          t.slowestMs = Math.max(t.slowestMs, Date.now() - startedAt);
          t.peakRss = Math.max(t.peakRss, m.rss);
          t.peakHeap = Math.max(t.peakHeap, m.heap);
          t.peakExternal = Math.max(t.peakExternal, m.external);
          current = -1;
        } else if (m.type === "finished") {
          finish(n);
        }
      });
      w.on("error", (err) => {
        // Uncaught in the worker (or it ran out of memory): the input in progress crashed it.
        const at = current;
        t.crashes++;
        t.inputs++;
        note(`crash (uncaught in worker) at input ${at}: ${err.name}: ${err.message}\n  input: ${currentInput}`);
        current = -1;
        finish(at >= 0 ? at + 1 : n);
      });
      w.on("exit", (code) => {
        if (!done && current >= 0) {
          t.crashes++;
          t.inputs++;
          note(`crash: worker exited with code ${code} at input ${current}\n  input: ${currentInput}`);
          finish(current + 1);
        } else if (!done) finish(n);
      });
    };
    startWorker(0);
  });
}

const mb = (b: number): string => (b / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const n = Number(arg("n", "10000"));
  const seed = Number(arg("seed", "14"));
  const names = arg("formats", FUZZ_FORMATS.map((f) => f.name).join(",")).split(",");
  console.log(`bench/fuzz: ${n} inputs per format, seed ${seed}, hang = input > ${HANG_MS} ms, worker heap cap ${WORKER_HEAP_MB} MB`);
  const rows: Tally[] = [];
  for (const name of names) {
    if (!FUZZ_FORMATS.some((f) => f.name === name)) throw new Error(`--formats: unknown format ${name} (have ${FUZZ_FORMATS.map((f) => f.name).join(", ")})`);
    const t = await fuzzOne(name, n, seed);
    rows.push(t);
    console.log(`  ${name}: ${t.inputs} inputs in ${t.seconds.toFixed(0)} s`);
  }
  console.log("");
  console.log("| format | inputs | parsed OK | clean errors | crashes | hangs (> 5 s) | slowest input | peak RSS | peak worker heap | peak external |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const t of rows) {
    console.log(`| ${t.format} | ${t.inputs} | ${t.ok} | ${t.clean} | ${t.crashes} | ${t.hangs} | ${t.slowestMs} ms | ${mb(t.peakRss)} MB | ${mb(t.peakHeap)} MB | ${mb(t.peakExternal)} MB |`);
  }
  const bad = rows.reduce((a, t) => a + t.crashes + t.hangs, 0);
  if (bad > 0) process.exitCode = 1;
}

void main();
