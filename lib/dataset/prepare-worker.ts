/**
 * A `prepare` worker thread: clusters the events of a block (read and sent by the main thread)
 * into EventRecords, validates each against its output line number and answers with the JSONL
 * text of the block. Started through prepare-worker.js (which registers tsx).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Event } from "../events/event";
import { eventRecord } from "../jets/features";
import { formatRecord } from "./jsonl";
import { validateRecord } from "./validate";

/** Fixed for the worker's life (workerData). */
export interface PrepareWorkerConfig {
  /** Input file, named in error messages. */
  input: string;
  /** Output file, for validation messages. */
  output: string;
  /** Options passed to eventRecord. */
  recordOptions: { R: number; ptmin: number; maxJets: number };
}

/**
 * The events of input rows [start, stop), packed for a zero-copy transfer; the first record goes
 * to output line `firstLine`. Event k has `counts[k]` particles, stored in `particles` after
 * those of the events before it as [pt(n), eta(n), phi(n)]; its label is `labels[k]` (-1: none).
 */
export interface PrepareTask {
  seq: number;
  start: number;
  stop: number;
  firstLine: number;
  counts: Int32Array;
  labels: Int8Array;
  particles: Float64Array;
}

export type PrepareReply = { seq: number; ok: true; text: string; count: number } | { seq: number; ok: false; message: string };

const config = workerData as PrepareWorkerConfig;

parentPort!.on("message", (task: PrepareTask) => {
  let reply: PrepareReply;
  try {
    reply = { seq: task.seq, ok: true, text: runTask(task), count: task.stop - task.start };
  } catch (err) {
    reply = { seq: task.seq, ok: false, message: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});

function runTask(task: PrepareTask): string {
  const n = task.stop - task.start;
  const lines: string[] = new Array(n);
  let at = 0;
  for (let k = 0; k < n; k++) {
    const m = task.counts[k];
    const y = task.labels[k];
    const e: Event = {
      id: task.start + k,
      label: y < 0 ? null : (y as 0 | 1),
      pt: task.particles.subarray(at, at + m),
      eta: task.particles.subarray(at + m, at + 2 * m),
      phi: task.particles.subarray(at + 2 * m, at + 3 * m),
    };
    at += 3 * m;
    let rec;
    try {
      rec = eventRecord(e, config.recordOptions);
    } catch (err) {
      throw new Error(`${config.input}: event ${e.id}: ${(err as Error).message}`);
    }
    validateRecord(rec, { file: config.output, line: task.firstLine + k });
    lines[k] = formatRecord(rec);
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}
