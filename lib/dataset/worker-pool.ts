/**
 * A fixed set of worker threads that each run one task at a time: `run` queues a message and
 * resolves with the worker's reply. A worker that crashes (or exits) fails every pending task, so
 * the caller can abort at once.
 */
import { Worker } from "node:worker_threads";

interface Job<Req, Res> {
  msg: Req;
  /** Buffers moved (not copied) to the worker with the message. */
  transfer: ArrayBuffer[];
  resolve: (r: Res) => void;
  reject: (e: Error) => void;
}

export class WorkerPool<Req, Res> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job<Req, Res>>();
  private readonly queue: Job<Req, Res>[] = [];
  private failure: Error | undefined;
  private closed = false;

  /** `script`: a .js file (see prepare-worker.js); `workerData`: passed to every worker. */
  constructor(
    private readonly script: string,
    size: number,
    private readonly workerData: unknown,
  ) {
    this.grow(size);
  }

  /** Starts `n` more workers (none once closed). */
  grow(n: number): void {
    if (this.closed) return;
    for (let i = 0; i < n; i++) {
      const w = new Worker(this.script, { workerData: this.workerData, execArgv: workerExecArgv() });
      w.on("message", (res: Res) => this.done(w, res));
      w.on("error", (err) => this.fail(err instanceof Error ? err : new Error(String(err))));
      w.on("exit", (code) => {
        if (!this.closed) this.fail(new Error(`worker thread exited unexpectedly (code ${code})`));
      });
      this.workers.push(w);
      this.idle.push(w);
    }
    this.dispatch();
  }

  /** Sends `msg` to the next free worker, moving `transfer` (unusable here afterwards); resolves with its reply. */
  run(msg: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("worker pool is closed"));
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ msg, transfer, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker (pending tasks are rejected). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error("worker pool closed");
    for (const j of this.queue.splice(0)) j.reject(err);
    for (const j of this.busy.values()) j.reject(err);
    this.busy.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage(job.msg, job.transfer);
    }
  }

  private done(w: Worker, res: Res): void {
    const job = this.busy.get(w);
    this.busy.delete(w);
    this.idle.push(w);
    job?.resolve(res);
    this.dispatch();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const j of this.queue.splice(0)) j.reject(err);
    for (const j of this.busy.values()) j.reject(err);
    this.busy.clear();
  }
}

/**
 * The parent's Node options minus tsx's ESM loader (`--import tsx`, as under `node --import tsx`
 * in tests and benchmarks): worker scripts register tsx's require hook themselves (see
 * prepare-worker.js), and with the ESM loader inherited every module a worker loads also goes
 * through the loader's hooks thread (~0.3 CPU-s more start-up per worker).
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--import" && argv[i + 1] === "tsx") i++;
    else if (argv[i] !== "--import=tsx") out.push(argv[i]);
  }
  return out;
}
