/**
 * The child process of one study training (started through arm-worker.js by ./jobs.ts): receives
 * an ArmJob over IPC, runs it, and sends back progress notes and the result (or the error).
 * The tfjs wasm backend is single-threaded, so a child per training is how the study uses cores.
 */
import { ArmJob, runArmJob } from "./arm-job";

export type WorkerMessage =
  | { kind: "note"; text: string }
  | { kind: "done"; result: Awaited<ReturnType<typeof runArmJob>> }
  | { kind: "error"; message: string; stack?: string };

function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send!(m, undefined, {}, () => resolve()));
}

process.once("message", (job: ArmJob) => {
  runArmJob(job, (text) => void send({ kind: "note", text }))
    .then((result) => send({ kind: "done", result }))
    .catch((err: Error) => send({ kind: "error", message: err.message, stack: err.stack }))
    .finally(() => process.disconnect());
});
