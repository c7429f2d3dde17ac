/**
 * `hepllm serve`'s HTTP server (node:http): an OpenAI-compatible subset over one ChatEngine.
 *   GET  /v1/models, /v1/models/<id>
 *   POST /v1/chat/completions  (tools/tool_calls, stream: true as SSE, usage counts)
 *   GET  /health               (no key needed)
 * Loopback by default; with an API key every /v1 route needs `Authorization: Bearer <key>`.
 *
 * Under load: as many completions run at once as the engine has workers (`engine.concurrency`,
 * default 1); up to `maxQueue` more wait, and beyond that a request gets 429 with Retry-After
 * (admission.ts). max_tokens above `maxTokens` and prompts above the engine's cap are 400s. A
 * request still unanswered after `timeoutMs` (waiting or generating) is cancelled and gets 504
 * (code "timeout"), or an error event if its stream had started. A client that disconnects cancels
 * its completion (the engine stops within one token) or leaves the queue.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import type { ChatChunk, ChatMessage, ChatResponse, Usage } from "../agents/openai/types";
import { Admission } from "./admission";
import type { ChatEngine, EngineResult } from "./engine";
import { HttpError, QueueFull, badRequest, timeLimitExceeded } from "./errors";
import { parseChatRequest } from "./request";

export interface ServerOptions {
  engine: ChatEngine;
  /** Interface to bind (default 127.0.0.1: not reachable from other machines). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, requests must carry it as a bearer token. */
  apiKey?: string;
  /** Largest accepted request body [bytes] (default 8 MiB). */
  maxBodyBytes?: number;
  /** One line per request (default: none). */
  log?: (line: string) => void;
  /** Requests that may wait for a free engine slot; more get 429 (default 8: a CPU model drains ~1 request/s). */
  maxQueue?: number;
  /** Largest max_tokens accepted, and the default when a request gives none (default 1024). */
  maxTokens?: number;
  /** Time limit per request from arrival, queue wait included [ms] (default: none). */
  timeoutMs?: number;
}

/** Why a completion was cancelled when its client left (nobody reads the answer). */
class ClientGone extends Error {
  constructor() {
    super("the client disconnected");
  }
}

export interface RunningServer {
  /** Base URL including /v1. */
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      if (size > limit) return; // already refused: the rest is read and dropped
      size += c.length;
      if (size > limit) {
        // Not req.destroy(): that resets the connection and the client never sees the 413.
        chunks.length = 0;
        reject(new HttpError(413, `request body larger than ${limit} bytes`, "invalid_request_error", null, "request_too_large"));
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function authorised(req: http.IncomingMessage, key: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return false;
  const a = crypto.createHash("sha256").update(m[1].trim()).digest();
  const b = crypto.createHash("sha256").update(key).digest();
  return crypto.timingSafeEqual(a, b);
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { engine } = opts;
  const limit = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  const maxTokens = opts.maxTokens ?? 1024;
  const admission = new Admission(engine.concurrency ?? 1, opts.maxQueue ?? 8);
  /** Runs `job` once a slot is free (or throws QueueFull / the abort reason). */
  const admitted = async <T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> => {
    const release = await admission.acquire(signal);
    try {
      return await job();
    } finally {
      release();
    }
  };
  const modelCard = () => ({ id: engine.modelId, object: "model", created: engine.created, owned_by: "hepllm" });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? "/").split("?")[0].replace(/\/+$/, "") || "/";
    if (url === "/health" && req.method === "GET") {
      return sendJson(res, 200, { status: "ok", model: engine.modelId, active: admission.active, queued: admission.queued, slots: admission.slots });
    }
    if (!url.startsWith("/v1/")) throw new HttpError(404, `Invalid URL (${req.method} ${url})`, "invalid_request_error", null, "unknown_url");
    if (opts.apiKey !== undefined && !authorised(req, opts.apiKey)) {
      throw new HttpError(401, "Incorrect or missing API key: send it as 'Authorization: Bearer <key>'.", "invalid_request_error", null, "invalid_api_key");
    }
    if (url === "/v1/models") {
      if (req.method !== "GET") throw new HttpError(405, `${req.method} is not allowed on ${url}`, "invalid_request_error", null, "method_not_allowed");
      return sendJson(res, 200, { object: "list", data: [modelCard()] });
    }
    if (url.startsWith("/v1/models/")) {
      const id = decodeURIComponent(url.slice("/v1/models/".length));
      if (id !== engine.modelId) throw new HttpError(404, `The model '${id}' does not exist`, "invalid_request_error", "model", "model_not_found");
      return sendJson(res, 200, modelCard());
    }
    if (url === "/v1/chat/completions") {
      if (req.method !== "POST") throw new HttpError(405, `${req.method} is not allowed on ${url}; use POST`, "invalid_request_error", null, "method_not_allowed");
      return chat(req, res);
    }
    throw new HttpError(404, `Invalid URL (${req.method} ${url})`, "invalid_request_error", null, "unknown_url");
  }

  async function chat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const text = await readBody(req, limit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest("We could not parse the JSON body of your request: it is not valid JSON.");
    }
    const r = parseChatRequest(body);
    if (r.model !== engine.modelId) {
      throw new HttpError(404, `The model '${r.model}' does not exist (this server has '${engine.modelId}')`, "invalid_request_error", "model", "model_not_found");
    }
    if (r.params.maxTokens !== undefined && r.params.maxTokens > maxTokens) {
      throw badRequest(`max_tokens is ${r.params.maxTokens}; this server allows at most ${maxTokens} (--max-tokens)`, "max_tokens", "max_tokens_exceeded");
    }
    r.params.maxTokens ??= maxTokens;
    const id = `chatcmpl-${crypto.randomBytes(12).toString("hex")}`;
    const created = Math.floor(Date.now() / 1000);
    const usageOf = (e: EngineResult): Usage => ({ prompt_tokens: e.promptTokens, completion_tokens: e.completionTokens, total_tokens: e.promptTokens + e.completionTokens });
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort(new ClientGone());
    });
    if (opts.timeoutMs !== undefined) {
      const timer = setTimeout(() => abort.abort(timeLimitExceeded(opts.timeoutMs! / 1000)), opts.timeoutMs);
      res.on("close", () => clearTimeout(timer));
    }

    if (!r.stream) {
      const out = await admitted(abort.signal, () => engine.complete(r.messages, r.tools, r.params, undefined, abort.signal));
      const message: ChatMessage = { role: "assistant", content: out.content };
      if (out.toolCalls.length > 0) message.tool_calls = out.toolCalls;
      const response: ChatResponse & { object: string; created: number } = {
        id,
        object: "chat.completion",
        created,
        model: engine.modelId,
        choices: [{ index: 0, message, finish_reason: out.finishReason }],
        usage: usageOf(out),
      };
      return sendJson(res, 200, response);
    }

    // Streaming: headers go out with the first text (or at the end), so a request the engine
    // refuses (e.g. too long a prompt) still gets a proper HTTP error status.
    const chunk = (delta: ChatChunk["choices"][0]["delta"], finish: string | null): ChatChunk => ({
      id,
      object: "chat.completion.chunk",
      model: engine.modelId,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const write = (data: unknown) => res.write(`data: ${JSON.stringify({ ...(data as object), created })}\n\n`);
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
      write(chunk({ role: "assistant", content: "" }, null));
    };
    try {
      const out = await admitted(abort.signal, () =>
        engine.complete(
          r.messages,
          r.tools,
          r.params,
          (t) => {
            if (!t) return;
            start();
            write(chunk({ content: t }, null));
          },
          abort.signal,
        ),
      );
      start();
      if (out.toolCalls.length > 0) {
        write(chunk({ tool_calls: out.toolCalls.map((c, index) => ({ index, id: c.id, type: "function", function: c.function })) }, null));
      }
      write(chunk({}, out.finishReason));
      if (r.streamUsage) write({ id, object: "chat.completion.chunk", model: engine.modelId, choices: [], usage: usageOf(out) });
      res.end("data: [DONE]\n\n");
    } catch (err) {
      if (!started || err instanceof ClientGone) throw err;
      const e = err instanceof HttpError ? err : new HttpError(500, (err as Error).message);
      res.end(`data: ${JSON.stringify(e.body())}\n\ndata: [DONE]\n\n`);
    }
  }

  const server = http.createServer((req, res) => {
    const t0 = Date.now();
    route(req, res)
      .catch((err) => {
        const e = err instanceof HttpError ? err : new HttpError(500, `internal error: ${(err as Error).message}`);
        if (err instanceof ClientGone) return void res.end();
        if (!res.headersSent) {
          if (e instanceof QueueFull) res.setHeader("retry-after", String(e.retryAfter));
          if (e.status === 413) res.setHeader("connection", "close"); // do not read the rest of a refused body
          sendJson(res, e.status, e.body());
        } else res.end();
      })
      .finally(() => opts.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - t0} ms`));
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      const addr = server.address() as AddressInfo;
      const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}/v1`,
        port: addr.port,
        close: () =>
          new Promise<void>((ok) => {
            server.closeAllConnections();
            server.close(() => ok());
          }),
      });
    });
  });
}
