/**
 * `prepare`: LHCO events (HDF5) -> EventRecord JSONL. The main thread reads blocks of rows and
 * hands their particles (moved, not copied) to worker threads (one per core by default), which
 * cluster and validate them; blocks are written back in input order. Reading in the main thread
 * (~20-25 us per event, HDF5 and Blosc included) spares every worker loading h5wasm (~0.4 CPU-s
 * each, a tenth of a 50k-event run on 2 cores); it keeps up with ~12 workers at ~300 us per
 * event. The output appears only when complete: any error (or an abort) deletes the temporary
 * file and leaves an existing output untouched.
 */
import * as os from "node:os";
import * as path from "node:path";
import { LHCOFile, openLHCO } from "../events";
import { nativeClusteringInUse } from "../jets/cluster";
import { DEFAULT_FEATURES } from "../jets/features";
import { Progress } from "../util/progress";
import { RecordWriter } from "./jsonl";
import type { PrepareReply, PrepareTask, PrepareWorkerConfig } from "./prepare-worker";
import { WorkerPool } from "./worker-pool";

export interface PrepareOptions {
  /** LHCO HDF5 file. */
  input: string;
  /** JSONL output. */
  output: string;
  /** Worker threads; default: the number of cores. */
  jobs?: number;
  /** Jet pT threshold [GeV]; default 20 (the LHCO analyses' choice). */
  ptmin?: number;
  /** Jet radius; default 1.0 (fat jets that hold a boosted resonance's decay products). */
  R?: number;
  /** Leading jets kept per record; default 2 (the dijet signal). */
  maxJets?: number;
  /** First event (0-based, inclusive); default 0. */
  start?: number;
  /** Last event (exclusive); default the end of the file (clipped to it). */
  stop?: number;
  /** Black-box master key file, giving labels to an unlabelled file. */
  masterkey?: string;
  /** Progress line on stderr; default true. */
  progress?: boolean;
  /** Aborts the run (e.g. on Ctrl-C); the output is then not written. */
  signal?: AbortSignal;
}

export interface PrepareResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** The record options used unless given: eventRecord's own defaults (one source of truth). */
export const PREPARE_DEFAULTS: Readonly<{ ptmin: number; R: number; maxJets: number }> = {
  ptmin: DEFAULT_FEATURES.ptmin,
  R: DEFAULT_FEATURES.R,
  maxJets: DEFAULT_FEATURES.maxJets,
};

const WORKER_SCRIPT = path.join(__dirname, "prepare-worker.js");

/** Events per block: at most this many (messaging costs nothing next to ~0.3 ms of clustering per event)... */
const MAX_BLOCK = 1024;
/** ...and at least this many, so that the last blocks are short but not all messaging. */
const MIN_BLOCK = 16;
/** Workers started before the file is opened: a 2-core machine's, so that their start-up overlaps the main thread's. */
const EARLY_WORKERS = 2;
/** Block ends fall on multiples of this many rows when a block is larger: whole HDF5 chunks of `writeLHCO`'s files (32 rows), each decompressed by one worker only. */
const BLOCK_ALIGN = 32;

export async function prepare(opts: PrepareOptions): Promise<PrepareResult> {
  const t0 = Date.now();
  const jobs = Math.max(1, Math.floor(opts.jobs ?? os.availableParallelism()));
  if (opts.signal?.aborted) throw new Error("prepare: interrupted");
  const config: PrepareWorkerConfig = {
    input: opts.input,
    output: opts.output,
    recordOptions: {
      R: opts.R ?? PREPARE_DEFAULTS.R,
      ptmin: opts.ptmin ?? PREPARE_DEFAULTS.ptmin,
      maxJets: opts.maxJets ?? PREPARE_DEFAULTS.maxJets,
    },
  };
  // The first workers start at once and load their code (~0.4 s) while this thread loads h5wasm and
  // opens the file; the others once the event count is known (no more workers than blocks).
  const early = Math.min(jobs, EARLY_WORKERS);
  nativeClusteringInUse(); // the workers cluster; this thread says once if they do so without the addon
  const pool = new WorkerPool<PrepareTask, PrepareReply>(WORKER_SCRIPT, early, config);
  let writer: RecordWriter | undefined;
  let file: LHCOFile | undefined;
  let total = 0;
  try {
    const f = (file = await openLHCO(opts.input, opts.masterkey === undefined ? undefined : { masterkey: opts.masterkey }));
    const nFile = f.info.nEvents;
    const start = opts.start ?? 0;
    const stop = Math.min(opts.stop ?? nFile, nFile);
    if (!Number.isInteger(start) || start < 0 || start > nFile) {
      throw new Error(`${opts.input}: --start ${start} is outside the file's ${nFile} events`);
    }
    if (!Number.isInteger(stop) || stop < start) throw new Error(`${opts.input}: --stop ${opts.stop} is before --start ${start}`);
    total = stop - start;
    if (opts.signal?.aborted) throw new Error("prepare: interrupted");
    pool.grow(Math.max(0, Math.min(jobs, Math.ceil(total / MIN_BLOCK)) - early));
    const progress = opts.progress === false ? undefined : new Progress({ label: "prepare", total, unit: "events" });
    const out = (writer = new RecordWriter(opts.output));
    const inFlight: Promise<PrepareReply>[] = [];
    const maxInFlight = jobs * 2; // bounds memory held in replies; keeps every worker fed
    const drainOne = async (): Promise<void> => {
      const reply = await abortable(inFlight.shift()!, opts.signal);
      if (reply.ok === false) throw new Error(reply.message); // `=== false`: tslab compiles non-strict, where `!reply.ok` does not narrow
      out.writeValidatedText(reply.text, reply.count);
      progress?.tick(reply.count);
    };
    let seq = 0;
    for (let a = start; a < stop; ) {
      // Guided self-scheduling: blocks shrink with the work left, so that at the end no worker
      // idles while another finishes a long block.
      const size = Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, Math.ceil((stop - a) / (4 * jobs))));
      let b = Math.min(stop, a + size);
      if (size >= 2 * BLOCK_ALIGN && b < stop) b -= b % BLOCK_ALIGN;
      const task = packBlock(f, seq++, a, b, a - start + 1);
      const p = pool.run(task, [task.counts.buffer, task.labels.buffer, task.particles.buffer] as ArrayBuffer[]);
      p.catch(() => undefined); // observed when drained; avoid an unhandled rejection meanwhile
      inFlight.push(p);
      a = b;
      while (inFlight.length >= maxInFlight) await drainOne();
    }
    while (inFlight.length) await drainOne();
    if (out.count !== total) {
      throw new Error(`${opts.input}: expected ${total} events in [${start}, ${stop}), read ${out.count}`);
    }
    out.commit();
    progress?.finish();
  } finally {
    writer?.abort();
    file?.close();
    await pool.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  return { events: total, seconds, eventsPerSecond: seconds > 0 ? total / seconds : 0 };
}

/** Rows [a, b) of `f`, read and packed for a worker (see PrepareTask). */
function packBlock(f: LHCOFile, seq: number, a: number, b: number, firstLine: number): PrepareTask {
  const events = f.read(a, b);
  const counts = new Int32Array(events.length);
  const labels = new Int8Array(events.length);
  let size = 0;
  for (let k = 0; k < events.length; k++) {
    counts[k] = events[k].pt.length;
    labels[k] = events[k].label ?? -1;
    size += 3 * counts[k];
  }
  const particles = new Float64Array(size);
  let at = 0;
  for (const e of events) {
    const n = e.pt.length;
    particles.set(e.pt, at);
    particles.set(e.eta, at + n);
    particles.set(e.phi, at + 2 * n);
    at += 3 * n;
  }
  return { seq, start: a, stop: b, firstLine, counts, labels, particles };
}

/** `p`, or a rejection as soon as `signal` fires. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Error("prepare: interrupted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("prepare: interrupted"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
