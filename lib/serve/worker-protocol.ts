/**
 * Messages between the server's main thread (worker-engine.ts) and a generation worker thread
 * (engine-worker.ts). Kept apart so the main thread can import them without running the worker.
 *
 * Cancelling: each job carries a SharedArrayBuffer of two int32: [CANCEL] the code the main thread
 * sets (0 = run, 1 = client gone, 2 = time limit), polled by the worker after every token;
 * [TOKENS] the count of tokens generated so far, stored by the worker after every token (so the
 * main thread can check that a worker stopped within one token of the flag).
 */
import type { ChatMessage, ToolSpec } from "../agents/openai/types";
import type { EngineResult, GenerationParams } from "./engine";
import type { LocalEngineOptions } from "./local-engine";

/** Fixed for the worker's life (workerData). */
export interface EngineWorkerConfig {
  modelDir: string;
  adapterDir?: string;
  options: LocalEngineOptions;
}

/** Index of the cancel code and of the token count in a job's control array. */
export const CANCEL = 0;
export const TOKENS = 1;
/** Values of control[CANCEL]. */
export const CancelCode = { Run: 0, ClientGone: 1, TimeLimit: 2 } as const;

export interface CompleteJob {
  id: number;
  messages: ChatMessage[];
  tools: ToolSpec[] | undefined;
  params: GenerationParams;
  /** Int32Array(2) over it: [CANCEL, TOKENS]. */
  control: SharedArrayBuffer;
}

export type WorkerReply =
  | { type: "ready"; modelId: string; created: number; contextLength: number; maxPromptTokens: number }
  | { type: "load-error"; message: string }
  | { type: "text"; id: number; delta: string }
  | { type: "done"; id: number; result: EngineResult }
  | { type: "cancelled"; id: number; generated: number }
  | { type: "error"; id: number; status: number; message: string; errorType: string; param: string | null; code: string | null };
