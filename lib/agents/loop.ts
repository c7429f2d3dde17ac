/**
 * The agent loop: ask the model, run the tool calls it makes, feed the results back as tool
 * messages, repeat until it answers without calling tools. Tool failures never end the loop (the
 * model reads the error and can correct itself); the loop ends with a reason:
 *   final_answer  the model replied without tool calls;
 *   max_steps     `maxSteps` model calls were made without a final answer;
 *   repeated_call the same tool with the same arguments was requested `repeatLimit` times (a loop);
 *   api_error     the endpoint failed (after the client's retries).
 */
import type { ChatMessage, ChatRequest, ChatResponse, ToolCall, Usage } from "./openai/types";
import type { ToolOutcome, ToolRegistry } from "./tools/tool";

/** The one method the loop needs; OpenAIClient implements it. */
export interface ChatClient {
  chat(req: ChatRequest): Promise<ChatResponse>;
}

export type StopReason = "final_answer" | "max_steps" | "repeated_call" | "api_error";

export interface AgentOptions {
  client: ChatClient;
  model: string;
  tools: ToolRegistry;
  /** System prompt (omitted when the conversation already starts with one). */
  system?: string;
  /** Model calls at most (default 8). */
  maxSteps?: number;
  /** Identical calls (name + canonical arguments) allowed before stopping (default 3). */
  repeatLimit?: number;
  temperature?: number;
  max_tokens?: number;
  seed?: number;
  /** Called after every model reply and every tool result (for logging/progress). */
  onEvent?: (e: AgentEvent) => void;
}

export type AgentEvent =
  | { kind: "assistant"; step: number; message: ChatMessage }
  | { kind: "tool"; step: number; call: ToolCall; outcome: ToolOutcome };

export interface ToolRun {
  step: number;
  call: ToolCall;
  outcome: ToolOutcome;
}

export interface AgentResult {
  reason: StopReason;
  /** The final assistant text (null unless reason is final_answer). */
  answer: string | null;
  /** The full conversation, tool messages included. */
  messages: ChatMessage[];
  toolRuns: ToolRun[];
  /** Model calls made. */
  steps: number;
  /** Token counts summed over this run's responses. */
  usage: Usage;
  /** Details for api_error / repeated_call. */
  detail?: string;
}

/** JSON with sorted keys, so `{"a":1,"b":2}` and `{"b":2,"a":1}` count as the same call. */
function canonical(text: string): string {
  const sortDeep = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortDeep)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]))
        : v;
  try {
    return JSON.stringify(sortDeep(JSON.parse(text)));
  } catch {
    return text.trim();
  }
}

/**
 * Some servers omit call ids or send `arguments` as an object (older Ollama); give every call an id
 * (tool messages must answer it) and JSON text arguments.
 */
function normaliseCall(c: ToolCall, step: number, i: number): ToolCall {
  const fn = (c.function ?? {}) as { name?: unknown; arguments?: unknown };
  const args = fn.arguments;
  return {
    id: typeof c.id === "string" && c.id !== "" ? c.id : `call_${step}_${i}`,
    type: "function",
    function: { name: String(fn.name ?? ""), arguments: typeof args === "string" ? args : args === undefined ? "{}" : JSON.stringify(args) },
  };
}

export async function runAgent(opts: AgentOptions, input: string | ChatMessage[]): Promise<AgentResult> {
  const maxSteps = opts.maxSteps ?? 8;
  const repeatLimit = opts.repeatLimit ?? 3;
  const messages: ChatMessage[] = typeof input === "string" ? [{ role: "user", content: input }] : [...input];
  if (opts.system && messages[0]?.role !== "system") messages.unshift({ role: "system", content: opts.system });
  const toolRuns: ToolRun[] = [];
  const usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const seen = new Map<string, number>();
  const done = (reason: StopReason, steps: number, answer: string | null = null, detail?: string): AgentResult => ({
    reason,
    answer,
    messages,
    toolRuns,
    steps,
    usage,
    ...(detail !== undefined ? { detail } : {}),
  });

  for (let step = 1; step <= maxSteps; step++) {
    let res: ChatResponse;
    try {
      res = await opts.client.chat({
        model: opts.model,
        messages,
        tools: opts.tools.specs(),
        tool_choice: "auto",
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        ...(opts.max_tokens !== undefined ? { max_tokens: opts.max_tokens } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      });
    } catch (err) {
      return done("api_error", step - 1, null, (err as Error).message);
    }
    if (res.usage) {
      // Some servers send only part of the usage object; a missing count must not make the sum NaN.
      const { prompt_tokens: p = 0, completion_tokens: c = 0 } = res.usage;
      usage.prompt_tokens += p;
      usage.completion_tokens += c;
      usage.total_tokens += res.usage.total_tokens ?? p + c;
    }
    const msg = res.choices[0].message;
    const calls = (msg.tool_calls ?? []).map((c, i) => normaliseCall(c, step, i));
    const assistant: ChatMessage = { role: "assistant", content: msg.content ?? null };
    if (calls.length > 0) assistant.tool_calls = calls;
    messages.push(assistant);
    opts.onEvent?.({ kind: "assistant", step, message: assistant });
    if (calls.length === 0) return done("final_answer", step, msg.content ?? "");

    let repeated: string | undefined;
    for (const call of calls) {
      const key = `${call.function.name}\u0000${canonical(call.function.arguments)}`;
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      if (count >= repeatLimit && repeated === undefined) repeated = `${call.function.name}(${call.function.arguments}) requested ${count} times`;
    }
    // Every call gets its tool message (even when stopping), so the transcript stays valid.
    for (const call of calls) {
      const outcome = await opts.tools.execute(call);
      toolRuns.push({ step, call, outcome });
      messages.push({ role: "tool", tool_call_id: call.id, name: call.function.name, content: outcome.content });
      opts.onEvent?.({ kind: "tool", step, call, outcome });
    }
    if (repeated !== undefined) return done("repeated_call", step, null, repeated);
  }
  return done("max_steps", maxSteps, null, `no final answer after ${maxSteps} model calls`);
}
