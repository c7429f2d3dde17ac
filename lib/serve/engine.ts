/**
 * What the HTTP server needs from a model: one chat completion at a time. `LocalEngine`
 * (local-engine.ts) implements it over lib/llm + lib/tokenizer; tests may use a fake.
 */
import type { ChatMessage, ToolCall, ToolSpec } from "../agents/openai/types";

export interface GenerationParams {
  /** New tokens at most; undefined = up to the context length. */
  maxTokens?: number;
  /** 0 = greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1]. */
  topP: number;
  seed?: number;
  /** Generation ends before the first of these strings. */
  stop: string[];
  /** "none" hides the tools; "required" makes the answer start with a tool call. */
  toolChoice: "auto" | "none" | "required";
}

export interface EngineResult {
  /** The answer text (null when the model only called tools). */
  content: string | null;
  toolCalls: ToolCall[];
  promptTokens: number;
  completionTokens: number;
  finishReason: "stop" | "length" | "tool_calls";
}

/**
 * What `complete` polls once per generated token to stop early: an AbortSignal, or (in a worker
 * thread) a view of a shared cancel flag. `reason` says why (client gone, time limit).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

export interface ChatEngine {
  /** The id /v1/models lists and requests must name. */
  readonly modelId: string;
  /** Unix seconds the model was created/loaded. */
  readonly created: number;
  /**
   * Runs one completion. `onText` receives answer text as it is generated (never tool-call JSON);
   * `signal` aborts (client gone, time limit): checked after every token, then `complete` rejects
   * with `signal.reason`. `onToken` gets the count of tokens generated so far after each one.
   * Throws HttpError (400) for requests the model cannot take, e.g. a prompt longer than its context.
   */
  complete(
    messages: ChatMessage[],
    tools: ToolSpec[] | undefined,
    params: GenerationParams,
    onText?: (delta: string) => void,
    signal?: CancelSignal,
    onToken?: (generated: number) => void,
  ): Promise<EngineResult>;
  /** How many completions may run at once (default 1); the server queues the rest. */
  readonly concurrency?: number;
}
