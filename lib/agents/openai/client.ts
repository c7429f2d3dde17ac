/**
 * A small client for any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM,
 * institutional gateways, `hepllm serve`). Retries 429/5xx/network failures with exponential
 * back-off, streams over SSE, and keeps a running token count in `usage`.
 *
 * Endpoint configuration (see `fromEnv`):
 *   1. environment: `<PREFIX>_BASE_URL` (e.g. http://127.0.0.1:8000/v1), `<PREFIX>_API_KEY`,
 *      optional `<PREFIX>_MODEL`;
 *   2. otherwise a JSON file (the `configFile` argument, else `$HEPLLM_ENDPOINTS`, else
 *      `~/.config/hepllm/endpoints.json`):
 *        { "default": "local",
 *          "endpoints": { "local": { "baseURL": "http://127.0.0.1:8000/v1", "apiKeyEnv": "HEPLLM_API_KEY", "model": "tiny" },
 *                         "openai": { "baseURL": "https://api.openai.com/v1", "apiKeyEnv": "OPENAI_API_KEY", "model": "gpt-4o-mini" } } }
 *      The entry is `$<PREFIX>_ENDPOINT`, else the one named like the prefix in lower case, else
 *      `default`. Keys are best referenced by `apiKeyEnv`; a literal `apiKey` is accepted too.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ChatChunk, ChatMessage, ChatRequest, ChatResponse, ToolCall, Usage } from "./types";

export interface ClientOptions {
  /** Base URL including the version path, e.g. http://127.0.0.1:8000/v1. */
  baseURL: string;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  /** Retries after the first attempt on 429/5xx/network errors (default 3). */
  maxRetries?: number;
  /** Per-attempt timeout in ms (default 300 000: CPU models are slow). */
  timeoutMs?: number;
  /** First back-off delay in ms, doubled each retry (default 500). */
  retryBaseMs?: number;
  /** The model to use when a caller has none (from `<PREFIX>_MODEL` or the config file). */
  defaultModel?: string;
}

/** A non-2xx answer (or, with status 0, a network failure after all retries). */
export class APIError extends Error {
  status: number;
  body: unknown;
  constructor(message: string, status: number, body: unknown) {
    super(message);
    this.name = "APIError";
    this.status = status;
    this.body = body;
  }
}

export interface EndpointEntry {
  baseURL: string;
  apiKey?: string;
  apiKeyEnv?: string;
  model?: string;
}
export interface EndpointsFile {
  default?: string;
  endpoints: Record<string, EndpointEntry>;
}

export const DEFAULT_ENDPOINTS_FILE = path.join(os.homedir(), ".config", "hepllm", "endpoints.json");

function retriable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Reads and checks an endpoints file (format at the top of this file). */
export function readEndpointsFile(file: string): EndpointsFile {
  let parsed: EndpointsFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8")) as EndpointsFile;
  } catch (err) {
    throw new Error(`${file}: cannot read endpoints (${(err as Error).message})`);
  }
  if (!parsed || typeof parsed.endpoints !== "object" || parsed.endpoints === null) throw new Error(`${file}: missing "endpoints" object`);
  return parsed;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class OpenAIClient {
  readonly baseURL: string;
  readonly defaultModel: string | undefined;
  private readonly apiKey: string | undefined;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  /** Totals over every successful call of this client. */
  readonly usage = { calls: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

  constructor(opts: ClientOptions) {
    if (!opts.baseURL) throw new Error("OpenAIClient: baseURL is required");
    this.baseURL = opts.baseURL.replace(/\/+$/, "");
    this.apiKey = opts.apiKey;
    this.maxRetries = opts.maxRetries ?? 3;
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.defaultModel = opts.defaultModel;
  }

  /** A client from `<prefix>_BASE_URL`/`<prefix>_API_KEY`, else from the endpoints file (see top). */
  static fromEnv(prefix = "OPENAI", configFile?: string, env: NodeJS.ProcessEnv = process.env): OpenAIClient {
    const base = env[`${prefix}_BASE_URL`];
    if (base) return new OpenAIClient({ baseURL: base, apiKey: env[`${prefix}_API_KEY`], defaultModel: env[`${prefix}_MODEL`] });
    const file = configFile ?? env.HEPLLM_ENDPOINTS ?? DEFAULT_ENDPOINTS_FILE;
    if (!fs.existsSync(file)) {
      throw new Error(`no endpoint configured: set ${prefix}_BASE_URL (and ${prefix}_API_KEY) or write ${file}`);
    }
    const parsed = readEndpointsFile(file);
    const name = env[`${prefix}_ENDPOINT`] ?? (parsed.endpoints[prefix.toLowerCase()] ? prefix.toLowerCase() : parsed.default);
    return OpenAIClient.fromEndpoint(name ?? "", file, env);
  }

  /** The client of one named entry of the endpoints file (`configFile`, else $HEPLLM_ENDPOINTS, else the default path). */
  static fromEndpoint(name: string, configFile?: string, env: NodeJS.ProcessEnv = process.env): OpenAIClient {
    const file = configFile ?? env.HEPLLM_ENDPOINTS ?? DEFAULT_ENDPOINTS_FILE;
    const parsed = readEndpointsFile(file);
    const entry = parsed.endpoints[name];
    if (!entry) throw new Error(`${file}: no endpoint ${JSON.stringify(name)} (have ${Object.keys(parsed.endpoints).join(", ")})`);
    if (typeof entry.baseURL !== "string") throw new Error(`${file}: endpoints.${name}.baseURL must be a string`);
    const apiKey = entry.apiKeyEnv ? env[entry.apiKeyEnv] : entry.apiKey;
    if (entry.apiKeyEnv && apiKey === undefined) throw new Error(`${file}: endpoints.${name}: $${entry.apiKeyEnv} is not set`);
    return new OpenAIClient({ baseURL: entry.baseURL, apiKey, defaultModel: entry.model });
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.apiKey) h.authorization = `Bearer ${this.apiKey}`;
    return h;
  }

  /**
   * Runs `attempt` with retries. `attempt` returns a Response; non-retriable errors and the last
   * failure are thrown as APIError. `canRetry` lets a stream refuse once text was delivered.
   */
  private async withRetries<T>(what: string, attempt: (signal: AbortSignal) => Promise<T>, canRetry: () => boolean = () => true): Promise<T> {
    for (let i = 0; ; i++) {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(new Error(`timeout after ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        return await attempt(ctrl.signal);
      } catch (err) {
        const apiErr =
          err instanceof APIError
            ? err
            : new APIError(`${what}: ${ctrl.signal.aborted ? `timeout after ${this.timeoutMs} ms` : (err as Error).message}`, 0, null);
        const again = (apiErr.status === 0 || retriable(apiErr.status)) && i < this.maxRetries && canRetry();
        if (!again) throw apiErr;
        const retryAfter = Number((apiErr as APIError & { retryAfter?: number }).retryAfter);
        const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : this.retryBaseMs * 2 ** i;
        await sleep(delay);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private async failure(res: Response, what: string): Promise<APIError> {
    const text = await res.text().catch(() => "");
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* keep text */
    }
    const msg = (body as { error?: { message?: string } })?.error?.message ?? (text.slice(0, 300) || res.statusText);
    const e = new APIError(`${what}: HTTP ${res.status}: ${msg}`, res.status, body);
    const ra = res.headers.get("retry-after");
    if (ra !== null) (e as APIError & { retryAfter?: number }).retryAfter = Number(ra);
    return e;
  }

  private record(u: Usage | undefined | null): void {
    this.usage.calls += 1;
    if (!u) return;
    this.usage.prompt_tokens += u.prompt_tokens ?? 0;
    this.usage.completion_tokens += u.completion_tokens ?? 0;
    this.usage.total_tokens += u.total_tokens ?? (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0);
  }

  /** One chat completion. */
  async chat(req: ChatRequest): Promise<ChatResponse> {
    const url = `${this.baseURL}/chat/completions`;
    const res = await this.withRetries("chat", async (signal) => {
      const r = await fetch(url, { method: "POST", headers: this.headers(), body: JSON.stringify({ ...req, stream: false }), signal });
      if (!r.ok) throw await this.failure(r, `POST ${url}`);
      return (await r.json()) as ChatResponse;
    });
    if (!res || !Array.isArray(res.choices) || res.choices.length === 0) {
      throw new APIError(`POST ${url}: response has no choices`, 200, res);
    }
    this.record(res.usage);
    return res;
  }

  /** A streamed chat completion: `onDelta` gets each piece of content; resolves to the assembled response. */
  async chatStream(req: ChatRequest, onDelta: (text: string) => void): Promise<ChatResponse> {
    const url = `${this.baseURL}/chat/completions`;
    let delivered = false;
    const res = await this.withRetries(
      "chatStream",
      async (signal) => {
        const body = JSON.stringify({ ...req, stream: true, stream_options: { include_usage: true } });
        const r = await fetch(url, { method: "POST", headers: { ...this.headers(), accept: "text/event-stream" }, body, signal });
        if (!r.ok) throw await this.failure(r, `POST ${url}`);
        if (!r.body) throw new APIError(`POST ${url}: empty stream`, r.status, null);
        return await assembleStream(r.body, req.model, (t) => {
          delivered = true;
          onDelta(t);
        });
      },
      () => !delivered,
    );
    this.record(res.usage);
    return res;
  }

  /** The ids of the models the endpoint serves. */
  async listModels(): Promise<string[]> {
    const url = `${this.baseURL}/models`;
    return this.withRetries("listModels", async (signal) => {
      const r = await fetch(url, { headers: this.headers(), signal });
      if (!r.ok) throw await this.failure(r, `GET ${url}`);
      const body = (await r.json()) as { data?: Array<{ id: string }> };
      if (!Array.isArray(body.data)) throw new APIError(`GET ${url}: no "data" list`, r.status, body);
      return body.data.map((m) => m.id);
    });
  }
}

/** Reads an SSE body of ChatChunks into one ChatResponse (content and tool-call deltas merged). */
async function assembleStream(body: ReadableStream<Uint8Array>, model: string, onDelta: (t: string) => void): Promise<ChatResponse> {
  const decoder = new TextDecoder();
  let buf = "";
  let id = "";
  let content = "";
  let sawContent = false;
  let finish = "stop";
  let usage: Usage | undefined;
  const calls: ToolCall[] = [];
  const handle = (data: string) => {
    const chunk = JSON.parse(data) as ChatChunk & { error?: { message?: string } };
    if (chunk.error) throw new APIError(`stream error: ${chunk.error.message ?? JSON.stringify(chunk.error)}`, 500, chunk);
    id = chunk.id || id;
    model = chunk.model || model;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      const d = c.delta ?? {};
      if (typeof d.content === "string" && d.content.length > 0) {
        sawContent = true;
        content += d.content;
        onDelta(d.content);
      }
      for (const tc of d.tool_calls ?? []) {
        const slot = (calls[tc.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
        if (tc.id) slot.id = tc.id;
        if (tc.function?.name) slot.function.name += tc.function.name;
        if (tc.function?.arguments) slot.function.arguments += tc.function.arguments;
      }
      if (c.finish_reason) finish = c.finish_reason;
    }
  };
  const reader = body.getReader();
  let done = false;
  while (!done) {
    const r = await reader.read();
    if (r.done) break;
    buf += decoder.decode(r.value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") {
        done = true;
        break;
      }
      if (data) handle(data);
    }
  }
  const message: ChatMessage = { role: "assistant", content: sawContent || calls.length === 0 ? content : null };
  const toolCalls = calls.filter(Boolean);
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return { id, model, choices: [{ index: 0, message, finish_reason: finish }], usage };
}
