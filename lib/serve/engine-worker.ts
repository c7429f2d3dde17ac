/**
 * A generation worker thread: loads the model (and initialises the tfjs backend, lib/llm initBackend)
 * in this thread, then runs one completion at a time for the main thread (worker-engine.ts), so the
 * server's event loop stays free while tokens are generated. Started through engine-worker.js.
 * Protocol and cancel flag: worker-protocol.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { CancelSignal } from "./engine";
import { HttpError } from "./errors";
import { LocalEngine } from "./local-engine";
import { CANCEL, CancelCode, CompleteJob, EngineWorkerConfig, TOKENS, WorkerReply } from "./worker-protocol";

const port = parentPort!;
const config = workerData as EngineWorkerConfig;

LocalEngine.load(config.modelDir, config.adapterDir, config.options).then(
  (engine) => {
    port.postMessage({ type: "ready", modelId: engine.modelId, created: engine.created, contextLength: engine.contextLength, maxPromptTokens: engine.maxPromptTokens } satisfies WorkerReply);
    port.on("message", (job: CompleteJob) => void run(engine, job));
  },
  (err: Error) => port.postMessage({ type: "load-error", message: err.message } satisfies WorkerReply),
);

async function run(engine: LocalEngine, job: CompleteJob): Promise<void> {
  const control = new Int32Array(job.control);
  const signal: CancelSignal = {
    get aborted() {
      return Atomics.load(control, CANCEL) !== CancelCode.Run;
    },
  };
  const reply = (r: WorkerReply) => port.postMessage(r);
  try {
    const result = await engine.complete(
      job.messages,
      job.tools,
      job.params,
      (delta) => reply({ type: "text", id: job.id, delta }),
      signal,
      (n) => Atomics.store(control, TOKENS, n),
    );
    reply({ type: "done", id: job.id, result });
  } catch (err) {
    if (signal.aborted) return reply({ type: "cancelled", id: job.id, generated: Atomics.load(control, TOKENS) });
    const e = err instanceof HttpError ? err : new HttpError(500, `generation failed: ${(err as Error).message}`);
    reply({ type: "error", id: job.id, status: e.status, message: e.message, errorType: e.type, param: e.param, code: e.code });
  }
}
