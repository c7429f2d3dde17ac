/**
 * A `prepare` worker thread: reads its block of rows from the HDF5 file itself (so reading and
 * Blosc decompression scale with the workers instead of queueing in the main thread), clusters
 * each event into an EventRecord, validates it against its output line number and answers with
 * the JSONL text of the block. Started through prepare-worker.js (which registers tsx).
 */
import { parentPort, workerData } from "node:worker_threads";
import { LHCOFile, openLHCO } from "../events/reader";
import { eventRecord } from "../jets/features";
import { formatRecord } from "./jsonl";
import { validateRecord } from "./validate";

/** Fixed for the worker's life (workerData). */
export interface PrepareWorkerConfig {
  /** Input HDF5 file (also named in error messages). */
  input: string;
  /** Master key file for an unlabelled input, if any. */
  masterkey?: string;
  /** Output file, for validation messages. */
  output: string;
  /** Options passed to eventRecord. */
  recordOptions: { R: number; ptmin: number; maxJets: number };
}

/** Rows [start, stop) of the input; the first record goes to output line `firstLine`. */
export interface PrepareTask {
  seq: number;
  start: number;
  stop: number;
  firstLine: number;
}

export type PrepareReply = { seq: number; ok: true; text: string; count: number } | { seq: number; ok: false; message: string };

const config = workerData as PrepareWorkerConfig;
// Opened at start-up (loading h5wasm takes ~0.5 s) so it overlaps with the other workers' start.
const file: Promise<LHCOFile> = openLHCO(config.input, config.masterkey === undefined ? {} : { masterkey: config.masterkey });
file.catch(() => undefined); // reported with the first task

parentPort!.on("message", (task: PrepareTask) => {
  file
    .then((f) => ({ seq: task.seq, ok: true as const, text: runTask(f, task), count: task.stop - task.start }))
    .catch((err: Error) => ({ seq: task.seq, ok: false as const, message: err?.message ?? String(err) }))
    .then((reply: PrepareReply) => parentPort!.postMessage(reply));
});

function runTask(f: LHCOFile, task: PrepareTask): string {
  const events = f.read(task.start, task.stop);
  const lines: string[] = new Array(events.length);
  for (let k = 0; k < events.length; k++) {
    const e = events[k];
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
