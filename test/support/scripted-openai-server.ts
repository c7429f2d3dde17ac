/**
 * A deterministic OpenAI-compatible HTTP server for tests: every POST /v1/chat/completions is
 * answered by a script function of (request, index). Serves GET /v1/models (one model,
 * "scripted") and streaming (`stream: true`, SSE). Binds 127.0.0.1 on a free port.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";
import type { ChatRequest, Usage } from "../../lib/agents/openai/types";

export interface ScriptedReply {
  /** Assistant text (null content when absent and tool_calls are given). */
  content?: string;
  /** Tool calls; `arguments` is sent verbatim, so malformed JSON can be scripted. */
  tool_calls?: Array<{ name: string; arguments: string }>;
  /** An HTTP status other than 200 answers with an OpenAI error body (message = content). */
  status?: number;
  /** Overrides of the default counts (prompt = words in the request, completion = words in the reply). */
  usage?: Partial<Usage>;
  /** Wait this long before answering [ms] (for timeout tests). */
  delayMs?: number;
}

export interface ScriptedServer {
  /** Base URL including /v1. */
  url: string;
  /** Every chat request received, in order (including those answered with an error). */
  requests: ChatRequest[];
  close(): Promise<void>;
}

export type Script = (req: ChatRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

const words = (s: string | null | undefined) => (s ? s.split(/\s+/).filter(Boolean).length : 0);

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function startScriptedServer(reply: Script): Promise<ScriptedServer> {
  const requests: ChatRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((err) => {
        send(res, 500, { error: { message: String((err as Error).message), type: "server_error", param: null, code: null } });
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
    const url = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && url === "/v1/models") {
      return send(res, 200, { object: "list", data: [{ id: "scripted", object: "model", created: 0, owned_by: "test" }] });
    }
    if (req.method !== "POST" || url !== "/v1/chat/completions") {
      return send(res, 404, { error: { message: `no route ${req.method} ${url}`, type: "invalid_request_error", param: null, code: "not_found" } });
    }
    const body = JSON.parse(text) as ChatRequest;
    const index = requests.length;
    requests.push(body);
    const r = await reply(body, index);
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    if (r.status && r.status !== 200) {
      return send(res, r.status, { error: { message: r.content ?? `scripted error ${r.status}`, type: "server_error", param: null, code: null } });
    }
    const calls = (r.tool_calls ?? []).map((c, i) => ({
      id: `call_${index}_${i}`,
      type: "function" as const,
      function: { name: c.name, arguments: c.arguments },
    }));
    const prompt = body.messages.reduce((n, m) => n + words(m.content), 0);
    const completion = words(r.content) + calls.reduce((n, c) => n + words(c.function.arguments), 0);
    const usage: Usage = {
      prompt_tokens: r.usage?.prompt_tokens ?? prompt,
      completion_tokens: r.usage?.completion_tokens ?? completion,
      total_tokens: 0,
    };
    usage.total_tokens = r.usage?.total_tokens ?? usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-scripted-${index}`;
    const finish = calls.length > 0 ? "tool_calls" : "stop";
    if (!body.stream) {
      const message = { role: "assistant", content: r.content ?? (calls.length ? null : ""), ...(calls.length ? { tool_calls: calls } : {}) };
      return send(res, 200, { id, object: "chat.completion", created: 0, model: body.model, choices: [{ index: 0, message, finish_reason: finish }], usage });
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const emit = (delta: object, finish_reason: string | null, extra: object = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason }], ...extra })}\n\n`);
    emit({ role: "assistant", content: "" }, null);
    // Content in word-sized pieces (keeping the spaces) so clients must reassemble.
    for (const piece of (r.content ?? "").match(/\S+\s*|\s+/g) ?? []) emit({ content: piece }, null);
    calls.forEach((c, i) => {
      emit({ tool_calls: [{ index: i, id: c.id, type: "function", function: { name: c.function.name, arguments: "" } }] }, null);
      const a = c.function.arguments;
      const half = Math.ceil(a.length / 2);
      for (const part of [a.slice(0, half), a.slice(half)]) if (part) emit({ tool_calls: [{ index: i, function: { arguments: part } }] }, null);
    });
    emit({}, finish);
    res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage })}\n\n`);
    res.end("data: [DONE]\n\n");
  }

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        close: () =>
          new Promise<void>((ok) => {
            server.closeAllConnections();
            server.close(() => ok());
          }),
      });
    });
  });
}
