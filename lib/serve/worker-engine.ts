/**
 * A ChatEngine that runs LocalEngine in worker threads (engine-worker.ts), one model copy and one
 * completion at a time per worker, so the HTTP server's event loop never blocks on generation:
 * /health answers, new requests are queued or refused, and a client that leaves is noticed at once.
 * Cancelling sets the job's shared cancel flag, which the worker polls after every token.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { ChatMessage, ToolSpec } from "../agents/openai/types";
import type { CancelSignal, ChatEngine, EngineResult, GenerationParams } from "./engine";
import { CANCEL, CancelCode, CompleteJob, EngineWorkerConfig, TOKENS, WorkerReply } from "./worker-protocol";
import { HttpError } from "./errors";
import type { LocalEngineOptions } from "./local-engine";

const WORKER_SCRIPT = path.join(__dirname, "engine-worker.js");

interface Pending {
  job: CompleteJob;
  control: Int32Array;
  onText?: (delta: string) => void;
  onToken?: (n: number) => void;
  resolve: (r: EngineResult) => void;
  reject: (e: unknown) => void;
  signal?: CancelSignal;
  /** Tokens generated when the cancel flag was set (-1: not cancelled). */
  generatedAtCancel: number;
}

/** Counters for /health and tests. */
export interface WorkerEngineStats {
  completed: number;
  cancelled: number;
  /** Over cancelled jobs, the most tokens a worker generated after its cancel flag was set. */
  maxTokensAfterCancel: number;
}

export class WorkerEngine implements ChatEngine {
  readonly stats: WorkerEngineStats = { completed: 0, cancelled: 0, maxTokensAfterCancel: 0 };
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Pending>();
  private readonly waiting: Pending[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly config: EngineWorkerConfig,
    workers: Worker[],
    readonly modelId: string,
    readonly created: number,
    readonly contextLength: number,
    readonly maxPromptTokens: number,
  ) {
    for (const w of workers) this.adopt(w);
  }

  get concurrency(): number {
    return this.idle.length + this.running.size;
  }

  /** Starts `workers` threads, each loading the model; resolves when all are ready. */
  static async start(modelDir: string, adapterDir: string | undefined, options: LocalEngineOptions, workers = 1): Promise<WorkerEngine> {
    if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`workers must be a positive integer, got ${workers}`);
    const config: EngineWorkerConfig = { modelDir, ...(adapterDir ? { adapterDir } : {}), options };
    const started = await Promise.allSettled(Array.from({ length: workers }, () => spawn(config)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.worker.terminate() : undefined)));
      throw failed.reason;
    }
    const ok = started.map((s) => (s as PromiseFulfilledResult<Spawned>).value);
    const r = ok[0].ready;
    return new WorkerEngine(config, ok.map((s) => s.worker), r.modelId, r.created, r.contextLength, r.maxPromptTokens);
  }

  complete(
    messages: ChatMessage[],
    tools: ToolSpec[] | undefined,
    params: GenerationParams,
    onText?: (delta: string) => void,
    signal?: CancelSignal & Partial<Pick<AbortSignal, "addEventListener" | "removeEventListener">>,
    onToken?: (generated: number) => void,
  ): Promise<EngineResult> {
    if (this.closed) return Promise.reject(new HttpError(503, "the server is shutting down"));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const control = new Int32Array(new SharedArrayBuffer(8));
    const job: CompleteJob = { id: this.nextId++, messages, tools, params, control: control.buffer as SharedArrayBuffer };
    return new Promise<EngineResult>((resolve, reject) => {
      const p: Pending = { job, control, onText, onToken, signal, resolve, reject, generatedAtCancel: -1 };
      const onAbort = () => {
        const i = this.waiting.indexOf(p);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          return reject(signal!.reason);
        }
        if (p.generatedAtCancel >= 0) return;
        const reason = signal!.reason;
        const timeLimit = reason instanceof HttpError && reason.code === "timeout";
        // The count first: every token after this snapshot was generated after the flag was set.
        p.generatedAtCancel = Atomics.load(control, TOKENS);
        Atomics.store(control, CANCEL, timeLimit ? CancelCode.TimeLimit : CancelCode.ClientGone);
      };
      signal?.addEventListener?.("abort", onAbort, { once: true });
      const settle = <T>(f: (v: T) => void) => (v: T) => {
        signal?.removeEventListener?.("abort", onAbort);
        f(v);
      };
      p.resolve = settle(resolve);
      p.reject = settle(reject);
      this.waiting.push(p);
      this.dispatch();
    });
  }

  /** Stops every worker; running and waiting completions fail with 503. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new HttpError(503, "the server is shutting down");
    for (const p of [...this.waiting.splice(0), ...this.running.values()]) p.reject(err);
    const all = [...this.idle, ...this.running.keys()];
    this.running.clear();
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length && this.waiting.length) {
      const w = this.idle.pop()!;
      const p = this.waiting.shift()!;
      this.running.set(w, p);
      w.postMessage(p.job);
    }
  }

  private adopt(w: Worker): void {
    w.on("message", (m: WorkerReply) => this.onReply(w, m));
    w.on("error", (err) => this.lost(w, err instanceof Error ? err : new Error(String(err))));
    w.on("exit", (code) => this.lost(w, new Error(`generation worker exited (code ${code})`)));
    this.idle.push(w);
  }

  private onReply(w: Worker, m: WorkerReply): void {
    const p = this.running.get(w);
    if (!p || !("id" in m) || m.id !== p.job.id) return;
    if (m.type === "text") {
      p.onText?.(m.delta);
      p.onToken?.(Atomics.load(p.control, TOKENS));
      return;
    }
    this.running.delete(w);
    this.idle.push(w);
    if (m.type === "done") {
      this.stats.completed++;
      p.resolve(m.result);
    } else if (m.type === "cancelled") {
      this.stats.cancelled++;
      if (p.generatedAtCancel >= 0) this.stats.maxTokensAfterCancel = Math.max(this.stats.maxTokensAfterCancel, m.generated - p.generatedAtCancel);
      p.reject(p.signal?.reason ?? new Error("request aborted"));
    } else if (m.type === "error") {
      p.reject(new HttpError(m.status, m.message, m.errorType, m.param, m.code));
    }
    this.dispatch();
  }

  /** A worker died (out of memory, a bug): fail its job and start a replacement. */
  private lost(w: Worker, err: Error): void {
    if (this.closed) return;
    const p = this.running.get(w);
    const i = this.idle.indexOf(w);
    if (!p && i < 0) return; // already handled (error then exit)
    this.running.delete(w);
    if (i >= 0) this.idle.splice(i, 1);
    p?.reject(new HttpError(500, `generation worker failed: ${err.message}`));
    spawn(this.config).then(
      (s) => {
        if (this.closed) return void s.worker.terminate();
        this.adopt(s.worker);
        this.dispatch();
      },
      (e: Error) => console.error(`hepllm serve: could not restart a generation worker: ${e.message}`),
    );
  }
}

type Ready = Extract<WorkerReply, { type: "ready" }>;
interface Spawned {
  worker: Worker;
  ready: Ready;
}

/** Starts one worker and waits for its model to load. */
function spawn(config: EngineWorkerConfig): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: config });
    // Only our own listeners are removed (removeAllListeners would also drop the Worker's internal ones).
    const detach = () => {
      worker.off("message", onMessage);
      worker.off("error", fail);
      worker.off("exit", onExit);
    };
    const fail = (err: Error) => {
      detach();
      void worker.terminate();
      reject(err);
    };
    const onMessage = (m: WorkerReply) => {
      detach();
      if (m.type === "ready") resolve({ worker, ready: m });
      else fail(new Error(m.type === "load-error" ? m.message : `unexpected first message ${m.type} from a generation worker`));
    };
    const onExit = (code: number) => fail(new Error(`generation worker exited while loading the model (code ${code})`));
    worker.on("message", onMessage);
    worker.on("error", fail);
    worker.on("exit", onExit);
  });
}
