import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { APIError, OpenAIClient } from "../../../lib/agents/openai/client";
import { startScriptedServer } from "../../support/scripted-openai-server";

test("chat returns the scripted message and accumulates usage", async () => {
  const srv = await startScriptedServer((_req, i) => ({ content: `reply ${i}`, usage: { prompt_tokens: 7, completion_tokens: 2 } }));
  try {
    const c = new OpenAIClient({ baseURL: srv.url, apiKey: "k" });
    const r1 = await c.chat({ model: "m", messages: [{ role: "user", content: "hi" }], temperature: 0 });
    const r2 = await c.chat({ model: "m", messages: [{ role: "user", content: "again" }] });
    assert.equal(r1.choices[0].message.content, "reply 0");
    assert.equal(r2.choices[0].message.content, "reply 1");
    assert.deepEqual(c.usage, { calls: 2, prompt_tokens: 14, completion_tokens: 4, total_tokens: 18 });
    assert.equal(srv.requests[0].temperature, 0);
    assert.deepEqual(await c.listModels(), ["scripted"]);
  } finally {
    await srv.close();
  }
});

test("retries 429 and 503 with back-off, then succeeds", async () => {
  const srv = await startScriptedServer((_req, i) => (i === 0 ? { status: 429 } : i === 1 ? { status: 503 } : { content: "ok" }));
  try {
    const c = new OpenAIClient({ baseURL: srv.url, retryBaseMs: 5 });
    const r = await c.chat({ model: "m", messages: [{ role: "user", content: "x" }] });
    assert.equal(r.choices[0].message.content, "ok");
    assert.equal(srv.requests.length, 3);
    assert.equal(c.usage.calls, 1);
  } finally {
    await srv.close();
  }
});

test("gives up after maxRetries and does not retry a 400", async () => {
  const srv = await startScriptedServer((_req, i) => (i < 10 ? { status: i === 0 ? 400 : 500, content: "bad thing" } : { content: "late" }));
  try {
    const c = new OpenAIClient({ baseURL: srv.url, retryBaseMs: 1, maxRetries: 2 });
    await assert.rejects(c.chat({ model: "m", messages: [] }), (e: unknown) => e instanceof APIError && e.status === 400 && /bad thing/.test(e.message));
    assert.equal(srv.requests.length, 1);
    await assert.rejects(c.chat({ model: "m", messages: [] }), (e: unknown) => e instanceof APIError && e.status === 500);
    assert.equal(srv.requests.length, 4); // 1 + (1 + 2 retries)
  } finally {
    await srv.close();
  }
});

test("network failure is an APIError with status 0 after retries", async () => {
  const srv = await startScriptedServer(() => ({ content: "x" }));
  const url = srv.url;
  await srv.close();
  const c = new OpenAIClient({ baseURL: url, retryBaseMs: 1, maxRetries: 1 });
  await assert.rejects(c.chat({ model: "m", messages: [] }), (e: unknown) => e instanceof APIError && e.status === 0);
});

test("timeout aborts a slow answer", async () => {
  const srv = await startScriptedServer(() => ({ content: "slow", delayMs: 300 }));
  try {
    const c = new OpenAIClient({ baseURL: srv.url, timeoutMs: 50, maxRetries: 0 });
    await assert.rejects(c.chat({ model: "m", messages: [] }), /timeout/);
  } finally {
    await srv.close();
  }
});

test("chatStream reassembles content, tool calls and usage", async () => {
  const srv = await startScriptedServer((_req, i) =>
    i === 0 ? { content: "the event is signal" } : { tool_calls: [{ name: "bump_hunt", arguments: '{"bins":20,"lo":1000}' }] },
  );
  try {
    const c = new OpenAIClient({ baseURL: srv.url });
    const pieces: string[] = [];
    const r = await c.chatStream({ model: "m", messages: [{ role: "user", content: "a b c" }] }, (t) => pieces.push(t));
    assert.ok(pieces.length >= 4);
    assert.equal(pieces.join(""), "the event is signal");
    assert.equal(r.choices[0].message.content, "the event is signal");
    assert.equal(srv.requests[0].stream, true);
    const r2 = await c.chatStream({ model: "m", messages: [] }, () => undefined);
    assert.equal(r2.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(r2.choices[0].message.tool_calls, [{ id: "call_1_0", type: "function", function: { name: "bump_hunt", arguments: '{"bins":20,"lo":1000}' } }]);
    assert.equal(c.usage.calls, 2);
    assert.equal(c.usage.prompt_tokens, 3);
  } finally {
    await srv.close();
  }
});

test("fromEnv: environment first, then the endpoints file", () => {
  const c1 = OpenAIClient.fromEnv("HEP", undefined, { HEP_BASE_URL: "http://x:1/v1/", HEP_MODEL: "mm" });
  assert.equal(c1.baseURL, "http://x:1/v1");
  assert.equal(c1.defaultModel, "mm");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-endpoints-"));
  const file = path.join(dir, "endpoints.json");
  fs.writeFileSync(file, JSON.stringify({ default: "local", endpoints: { local: { baseURL: "http://l/v1", model: "tiny" }, gw: { baseURL: "http://g/v1", apiKeyEnv: "GW_KEY" } } }));
  assert.equal(OpenAIClient.fromEnv("HEP", file, {}).baseURL, "http://l/v1");
  assert.equal(OpenAIClient.fromEnv("HEP", file, { HEP_ENDPOINT: "gw", GW_KEY: "s" }).baseURL, "http://g/v1");
  assert.throws(() => OpenAIClient.fromEnv("HEP", file, { HEP_ENDPOINT: "gw" }), /GW_KEY is not set/);
  assert.throws(() => OpenAIClient.fromEnv("HEP", file, { HEP_ENDPOINT: "nope" }), /no endpoint "nope"/);
  assert.throws(() => OpenAIClient.fromEnv("HEP", path.join(dir, "missing.json"), {}), /HEP_BASE_URL/);
  fs.rmSync(dir, { recursive: true });
});
