/**
 * `hepllm serve` under load, over the worker-thread engine (lib/serve/worker-engine.ts) and a real
 * tiny random Mistral (test/serve/tiny-model.ts; greedy, it never emits EOS, so a generation runs
 * as long as max_tokens says, ~10-30 ms a token on the cpu backend):
 *  - /health answers while a long generation runs;
 *  - a client that disconnects cancels its generation within one token (the engine's count of
 *    tokens generated after the cancel flag was set is at most 1) and frees the worker;
 *  - the bounded queue answers 429 with Retry-After;
 *  - max_tokens and prompt-length caps are 400s in OpenAI's error form; the time limit is a 504
 *    (or an error event mid-stream);
 *  - streamed text through the `openai` npm client equals lib/llm generate on the same weights.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { generate, initBackend, loadModel } from "../../lib/llm";
import { encodeChat, loadTokenizer } from "../../lib/tokenizer";
import { startServer } from "../../lib/serve/server";
import { WorkerEngine } from "../../lib/serve/worker-engine";
import { makeTinyModelDir } from "./tiny-model";

// The workers read these from the shared environment: the same initBackend as production, on cpu.
process.env.HEPLLM_BACKEND ??= "cpu";
process.env.HEPLLM_QUIET_BACKEND = "1";

let engine: WorkerEngine;
let dir: ReturnType<typeof makeTinyModelDir>;
const MAX_PROMPT = 64;

before(async () => {
  await initBackend();
  dir = makeTinyModelDir(2048);
  engine = await WorkerEngine.start(dir.modelDir, undefined, { modelId: "tiny", maxPromptTokens: MAX_PROMPT }, 1);
});
after(async () => {
  await engine?.close();
  dir?.cleanup();
});

const body = (content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: "tiny", messages: [{ role: "user", content }], temperature: 0, ...extra });
const post = (url: string, b: string, signal?: AbortSignal) => fetch(`${url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: b, signal });
type ErrorJson = { error: { message: string; type: string; param: string | null; code: string | null } };

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("/health answers during a long generation; 429 + Retry-After when the queue is full; a disconnect cancels within one token", async () => {
  const s = await startServer({ engine, maxQueue: 1, maxTokens: 2000 });
  const health = s.url.replace(/\/v1$/, "/health");
  try {
    const before = { ...engine.stats };
    const gone = new AbortController();
    const res = await post(s.url, body("hello", { stream: true, max_tokens: 1500 }), gone.signal);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let chunks = 0;
    while (chunks < 5) {
      const { value } = await reader.read();
      chunks += (new TextDecoder().decode(value).match(/"content":"/g) ?? []).length;
    }
    // Generation is running (1500 tokens take seconds): /health answers fast, several times.
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const h = (await (await fetch(health)).json()) as { status: string; active: number; queued: number };
      assert.equal(h.status, "ok");
      assert.equal(h.active, 1);
      assert.ok(Date.now() - t0 < 1000, `/health took ${Date.now() - t0} ms during generation`);
    }
    // One request may wait; the next is refused at once with 429 and Retry-After.
    const queuedReq = post(s.url, body("queued", { max_tokens: 3 }));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(((await (await fetch(health)).json()) as { queued: number }).queued, 1);
    const refused = await post(s.url, body("one too many", { max_tokens: 3 }));
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
    const e = (await refused.json()) as ErrorJson;
    assert.deepEqual([e.error.type, e.error.code], ["rate_limit_error", "queue_full"]);
    // The streaming client leaves: its generation stops within one token and the worker is freed.
    gone.abort();
    await until(() => engine.stats.cancelled > before.cancelled, 10_000, "the cancel");
    assert.ok(engine.stats.maxTokensAfterCancel <= 1, `${engine.stats.maxTokensAfterCancel} tokens generated after the cancel flag`);
    const t0 = Date.now();
    const q = await queuedReq;
    assert.equal(q.status, 200);
    assert.equal(((await q.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens, 3);
    assert.ok(Date.now() - t0 < 10_000, "the queued request ran once the cancelled one stopped");
    assert.equal(engine.stats.completed, before.completed + 1, "the cancelled generation did not complete");
  } finally {
    await s.close();
  }
});

test("caps: max_tokens and prompt length are 400s in OpenAI's error form", async () => {
  const s = await startServer({ engine, maxTokens: 50 });
  try {
    const big = await post(s.url, body("hello", { max_tokens: 51 }));
    assert.equal(big.status, 400);
    assert.deepEqual(((await big.json()) as ErrorJson).error, {
      message: "max_tokens is 51; this server allows at most 50 (--max-tokens)", type: "invalid_request_error", param: "max_tokens", code: "max_tokens_exceeded",
    });
    const long = await post(s.url, body("event ".repeat(100), { max_tokens: 2, stream: true }));
    assert.equal(long.status, 400);
    const le = ((await long.json()) as ErrorJson).error;
    assert.deepEqual([le.type, le.param, le.code], ["invalid_request_error", "messages", "prompt_too_long"]);
    assert.match(le.message, new RegExp(`^the prompt is \\d+ tokens; this server accepts at most ${MAX_PROMPT} \\(--max-prompt-tokens\\)$`));
    // Within the caps it works; no max_tokens means the cap (the tiny model never stops by itself).
    const ok = await post(s.url, body("hello"));
    assert.equal(ok.status, 200);
    const j = (await ok.json()) as { usage: { completion_tokens: number }; choices: Array<{ finish_reason: string }> };
    assert.deepEqual([j.usage.completion_tokens, j.choices[0].finish_reason], [50, "length"]);
  } finally {
    await s.close();
  }
});

test("time limit: 504 (code timeout) when generating or waiting, an error event mid-stream; the worker stops", async () => {
  const s = await startServer({ engine, timeoutMs: 1500, maxTokens: 2000 });
  try {
    const cancelled = engine.stats.cancelled;
    const t0 = Date.now();
    const [slow, waiting] = await Promise.all([post(s.url, body("hello", { max_tokens: 1500 })), post(s.url, body("waits", { max_tokens: 1500 }))]);
    assert.ok(Date.now() - t0 < 6000, `answered after ${Date.now() - t0} ms`);
    for (const r of [slow, waiting]) {
      assert.equal(r.status, 504);
      const e = ((await r.json()) as ErrorJson).error;
      assert.deepEqual([e.type, e.code], ["server_error", "timeout"]);
      assert.match(e.message, /time limit of 1\.5 s/);
    }
    const stream = await post(s.url, body("hello", { max_tokens: 1500, stream: true }));
    assert.equal(stream.status, 200);
    const events = (await stream.text()).split("\n\n").filter(Boolean);
    assert.equal(events.at(-1), "data: [DONE]");
    assert.equal((JSON.parse(events.at(-2)!.slice(6)) as ErrorJson).error.code, "timeout");
    await until(() => engine.stats.cancelled >= cancelled + 2, 10_000, "the workers to stop");
    assert.ok(engine.stats.maxTokensAfterCancel <= 1);
  } finally {
    await s.close();
  }
});

test("streaming through the openai npm client equals lib/llm generate on the same weights", async () => {
  const s = await startServer({ engine });
  try {
    const client = new OpenAI({ baseURL: s.url, apiKey: "none", maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "Classify this event" }];
    const stream = await client.chat.completions.create({ model: "tiny", messages, max_tokens: 12, temperature: 0, stream: true });
    let text = "";
    let finish: string | null = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    // Reference: greedy generation in this thread on the saved weights.
    const tok = loadTokenizer(dir.modelDir);
    const model = await loadModel(dir.modelDir);
    const ref = generate(model, encodeChat(tok, messages), { maxNewTokens: 12, greedy: true, stopIds: [tok.eosId] });
    assert.equal(text, tok.decode(ref, { skipSpecial: true }));
    assert.equal(finish, "length");
    const full = await client.chat.completions.create({ model: "tiny", messages, max_tokens: 12, temperature: 0 });
    assert.equal(full.choices[0].message.content, text);
  } finally {
    await s.close();
  }
});
