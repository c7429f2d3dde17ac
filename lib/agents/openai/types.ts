/**
 * The OpenAI chat-completions wire format, as far as hepllm uses it (client, scripted test server
 * and `hepllm serve` all speak exactly this).
 */

/** A function call requested by the model; `arguments` is JSON text (possibly malformed). */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  /** null for an assistant message that only calls tools. */
  content: string | null;
  tool_calls?: ToolCall[];
  /** On a tool message: the id of the call it answers. */
  tool_call_id?: string;
  /** On a tool message: the tool's name. */
  name?: string;
}

/** A tool offered to the model; `parameters` is a JSON Schema for its arguments object. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description?: string; parameters: object };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  tool_choice?: "auto" | "none" | "required";
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string[];
  /** Set by the client for chatStream; callers leave it unset. */
  stream?: boolean;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatChoice {
  index: number;
  message: ChatMessage;
  /** "stop", "length" or "tool_calls". */
  finish_reason: string;
}

export interface ChatResponse {
  id: string;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
}

/** One SSE `data:` chunk of a streamed completion. */
export interface ChatChunk {
  id: string;
  object?: "chat.completion.chunk";
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason: string | null;
  }>;
  usage?: Usage | null;
}

/** The OpenAI error body: `{"error": {...}}`. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
