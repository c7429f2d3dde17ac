/**
 * The HTTP layer over a fake engine (deterministic, instant): routes, auth, error bodies,
 * streaming framing, tool calls. test/serve/local-engine.test.ts runs a real tiny model.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { APIError, OpenAIClient } from "../../lib/agents/openai/client";
import type { ChatEngine, EngineResult, GenerationParams } from "../../lib/serve/engine";
import { startServer, RunningServer } from "../../lib/serve/server";
import type { ChatMessage, ToolSpec } from "../../lib/agents/openai/types";

/** Echoes the last message word by word; "call <tool>" makes a tool call; records what it was given. */
class EchoEngine implements ChatEngine {
  readonly modelId = "echo-1";
  readonly created = 1700000000;
  seen: Array<{ messages: ChatMessage[]; tools?: ToolSpec[]; params: GenerationParams }> = [];
  async complete(messages: ChatMessage[], tools: ToolSpec[] | undefined, params: GenerationParams, onText?: (t: string) => void): Promise<EngineResult> {
    this.seen.push({ messages, tools, params });
    const last = messages[messages.length - 1].content ?? "";
    const m = /^call (\w+)/.exec(last);
    if (m && tools?.some((t) => t.function.name === m[1])) {
      return { content: null, toolCalls: [{ id: "abcDEF123", type: "function", function: { name: m[1], arguments: '{"bins": 4}' } }], promptTokens: 11, completionTokens: 6, finishReason: "tool_calls" };
    }
    const words = `echo: ${last}`.split(" ");
    words.forEach((w, i) => onText?.(i === 0 ? w : ` ${w}`));
    return { content: words.join(" "), toolCalls: [], promptTokens: 11, completionTokens: words.length, finishReason: "stop" };
  }
}

async function withServer(apiKey: string | undefined, fn: (s: RunningServer, e: EchoEngine) => Promise<void>): Promise<void> {
  const engine = new EchoEngine();
  const s = await startServer({ engine, apiKey });
  try {
    await fn(s, engine);
  } finally {
    await s.close();
  }
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

test("models, a completion with usage, tool calls and parameters", async () => {
  await withServer(undefined, async (s, engine) => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const c = new OpenAIClient({ baseURL: s.url });
    assert.deepEqual(await c.listModels(), ["echo-1"]);
    const r = await c.chat({ model: "echo-1", messages: [{ role: "user", content: "hello there" }], temperature: 0, max_tokens: 7, stop: ["\n"], seed: 3 });
    assert.equal(r.choices[0].message.content, "echo: hello there");
    assert.equal(r.choices[0].finish_reason, "stop");
    assert.deepEqual(r.usage, { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    assert.deepEqual(engine.seen[0].params, { maxTokens: 7, temperature: 0, topP: 1, seed: 3, stop: ["\n"], toolChoice: "auto" });
    const tools: ToolSpec[] = [{ type: "function", function: { name: "mjj_histogram", parameters: { type: "object" } } }];
    const t = await c.chat({ model: "echo-1", messages: [{ role: "user", content: "call mjj_histogram" }], tools });
    assert.equal(t.choices[0].finish_reason, "tool_calls");
    assert.equal(t.choices[0].message.content, null);
    assert.deepEqual(t.choices[0].message.tool_calls, [{ id: "abcDEF123", type: "function", function: { name: "mjj_histogram", arguments: '{"bins": 4}' } }]);
    // tool_choice "none" hides the tools from the engine.
    await c.chat({ model: "echo-1", messages: [{ role: "user", content: "call mjj_histogram" }], tools, tool_choice: "none" });
    assert.equal(engine.seen[2].tools, undefined);
    const card = await (await fetch(`${s.url}/models/echo-1`)).json();
    assert.deepEqual(card, { id: "echo-1", object: "model", created: 1700000000, owned_by: "hepllm" });
  });
});

test("streaming: SSE chunks, reassembled content, usage chunk and [DONE]", async () => {
  await withServer(undefined, async (s) => {
    const res = await post(s.url, JSON.stringify({ model: "echo-1", messages: [{ role: "user", content: "a b c" }], stream: true, stream_options: { include_usage: true } }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
    const events = (await res.text()).split("\n\n").filter(Boolean);
    assert.equal(events.at(-1), "data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, "")));
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    assert.equal(text, "echo: a b c");
    assert.equal(chunks.at(-2).choices[0].finish_reason, "stop");
    assert.deepEqual(chunks.at(-1).usage, { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
    assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id));
    // Through the client, tool calls too.
    const c = new OpenAIClient({ baseURL: s.url });
    const deltas: string[] = [];
    const r = await c.chatStream({ model: "echo-1", messages: [{ role: "user", content: "x y" }] }, (d) => deltas.push(d));
    assert.deepEqual(deltas, ["echo:", " x", " y"]);
    assert.equal(r.choices[0].message.content, "echo: x y");
    const tools: ToolSpec[] = [{ type: "function", function: { name: "bump_hunt", parameters: {} } }];
    const t = await c.chatStream({ model: "echo-1", messages: [{ role: "user", content: "call bump_hunt" }], tools }, () => undefined);
    assert.equal(t.choices[0].message.tool_calls![0].function.name, "bump_hunt");
    assert.equal(t.choices[0].finish_reason, "tool_calls");
    assert.equal(c.usage.calls, 2);
  });
});

test("OpenAI-style error bodies: 400, 404, 405", async () => {
  await withServer(undefined, async (s) => {
    const cases: Array<[string, number, string | null, string | null, RegExp]> = [
      ["{not json", 400, null, null, /not valid JSON/],
      [JSON.stringify({ model: "echo-1" }), 400, "messages", null, /messages must be a non-empty array/],
      [JSON.stringify({ model: "echo-1", messages: [{ role: "wizard", content: "x" }] }), 400, "messages[0].role", null, /role must be one of/],
      [JSON.stringify({ model: "echo-1", messages: [{ role: "user", content: "x" }], temperature: 5 }), 400, "temperature", null, /\[0, 2\]/],
      [JSON.stringify({ model: "echo-1", messages: [{ role: "tool", content: "x" }] }), 400, "messages[0].tool_call_id", null, /tool_call_id/],
      [JSON.stringify({ model: "echo-1", messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "bad name" } }] }), 400, "tools[0].function.name", null, /must match/],
      [JSON.stringify({ model: "gpt-9", messages: [{ role: "user", content: "x" }] }), 404, "model", "model_not_found", /does not exist/],
    ];
    for (const [body, status, param, code, re] of cases) {
      const res = await post(s.url, body);
      assert.equal(res.status, status, body);
      const j = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
      assert.deepEqual(Object.keys(j.error).sort(), ["code", "message", "param", "type"]);
      assert.equal(j.error.type, "invalid_request_error");
      assert.equal(j.error.param, param, body);
      assert.equal(j.error.code, code);
      assert.match(j.error.message, re);
    }
    const nf = await fetch(`${s.url}/embeddings`, { method: "POST" });
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: { code: string } }).error.code, "unknown_url");
    assert.equal((await fetch(`${s.url}/chat/completions`)).status, 405);
    // The client surfaces it as APIError without retrying a 400.
    const c = new OpenAIClient({ baseURL: s.url });
    await assert.rejects(c.chat({ model: "echo-1", messages: [] }), (e: unknown) => e instanceof APIError && e.status === 400 && /non-empty/.test(e.message));
  });
});

test("API key: missing or wrong is 401, right key passes; /health stays open", async () => {
  await withServer("s3cret", async (s) => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "s3cret" }] as Array<Record<string, string>>) {
      const res = await fetch(`${s.url}/models`, { headers });
      assert.equal(res.status, 401);
      const j = (await res.json()) as { error: { code: string; type: string } };
      assert.equal(j.error.code, "invalid_api_key");
    }
    await assert.rejects(new OpenAIClient({ baseURL: s.url, apiKey: "nope" }).listModels(), (e: unknown) => e instanceof APIError && e.status === 401);
    const good = new OpenAIClient({ baseURL: s.url, apiKey: "s3cret" });
    assert.deepEqual(await good.listModels(), ["echo-1"]);
    assert.equal((await good.chat({ model: "echo-1", messages: [{ role: "user", content: "hi" }] })).choices[0].message.content, "echo: hi");
    assert.equal((await fetch(s.url.replace(/\/v1$/, "/health"))).status, 200);
  });
});

test("concurrent requests are served one at a time, all answered", async () => {
  await withServer(undefined, async (s) => {
    const c = new OpenAIClient({ baseURL: s.url });
    const rs = await Promise.all([0, 1, 2, 3].map((i) => c.chat({ model: "echo-1", messages: [{ role: "user", content: `n${i}` }] })));
    assert.deepEqual(rs.map((r) => r.choices[0].message.content), ["echo: n0", "echo: n1", "echo: n2", "echo: n3"]);
  });
});

test("a body over the size limit gets a 413 error body, not a reset connection, and is not retried", async () => {
  const engine = new EchoEngine();
  const s = await startServer({ engine, maxBodyBytes: 1000 });
  try {
    const big = JSON.stringify({ model: "echo-1", messages: [{ role: "user", content: "x".repeat(200_000) }] });
    const r = await post(s.url, big);
    assert.equal(r.status, 413);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "request_too_large");
    const c = new OpenAIClient({ baseURL: s.url, retryBaseMs: 1 });
    await assert.rejects(c.chat({ model: "echo-1", messages: [{ role: "user", content: "y".repeat(5000) }] }), (e: APIError) => e.status === 413);
    assert.equal(engine.seen.length, 0);
    const ok = await c.chat({ model: "echo-1", messages: [{ role: "user", content: "small" }] });
    assert.equal(ok.choices[0].message.content, "echo: small");
  } finally {
    await s.close();
  }
});
