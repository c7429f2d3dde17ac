/**
 * LocalEngine + server over real HTTP on loopback:
 *  - a "scripted" LM (emits a chosen token sequence) with a real trained tokenizer, to check the
 *    v3 prompt, tool-call parsing, streaming, stop strings and limits deterministically;
 *  - a real tiny random Mistral saved to a folder (with a LoRA adapter), served in-process and
 *    by `hepllm serve` as a child process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { APIError, OpenAIClient } from "../../lib/agents/openai/client";
import type { ChatMessage, ToolSpec } from "../../lib/agents/openai/types";
import { applyLora, generate, initBackend, initModel, saveModel } from "../../lib/llm";
import type { LM, ModelConfig } from "../../lib/llm";
import { encodeChat, loadTokenizer, saveTokenizer, trainTokenizer } from "../../lib/tokenizer";
import type { HfTokenizer } from "../../lib/tokenizer";
import { LocalEngine } from "../../lib/serve/local-engine";
import { startServer } from "../../lib/serve/server";
import { REPO_ROOT, sharedFile, skipUnlessShared } from "../support/shared";

const CORPUS = [
  "[INST] Classify this event as 'signal' or 'background'. M_jj=3500.2 GeV, jet1 m=500.1 tau21=0.21 [/INST] signal",
  '[TOOL_CALLS] [{"name": "bump_hunt", "arguments": {"window": 100, "sideband": 200}, "id": "abcdefghi"}]',
  '[AVAILABLE_TOOLS] [{"type": "function", "function": {"name": "mjj_histogram", "description": "histogram", "parameters": {}}}][/AVAILABLE_TOOLS]',
  "background. Because both jets are light and the dijet mass is generic.",
  "The quick brown fox jumps over the lazy dog; hello world, event, jets, mass.",
];

let tokCache: HfTokenizer | undefined;
const tokenizer = () => (tokCache ??= trainTokenizer(Array(20).fill(CORPUS).flat(), { vocabSize: 420 }));

function tinyConfig(vocabSize: number): ModelConfig {
  return {
    modelType: "mistral", vocabSize, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8,
    ropeTheta: 10000, rmsNormEps: 1e-6, slidingWindow: null, tieWordEmbeddings: false, maxPositionEmbeddings: 256, bosTokenId: 1, eosTokenId: 2,
  };
}

/** An LM that ignores its input and emits `script` then EOS, one-hot; records each prompt. */
class ScriptedLM implements Partial<LM> {
  readonly config: ModelConfig;
  training = false;
  script: number[] = [];
  prompts: number[][] = [];
  private k = 0;
  constructor(vocab: number) {
    this.config = { ...tinyConfig(vocab), numLayers: 0, maxPositionEmbeddings: 400 };
  }
  forward(ids: tf.Tensor2D): tf.Tensor3D {
    const row = (ids.arraySync() as number[][])[0];
    if (row.length > 1) {
      this.prompts.push(row);
      this.k = 0;
    }
    const next = this.k < this.script.length ? this.script[this.k] : this.config.eosTokenId!;
    this.k++;
    // Logit 60 on the scripted token: it wins even when sampling at temperature 1 (others get e^-60).
    return tf.oneHot([next], this.config.vocabSize).toFloat().mul(60).reshape([1, 1, this.config.vocabSize]) as tf.Tensor3D;
  }
}

const TOOLS: ToolSpec[] = [{ type: "function", function: { name: "bump_hunt", description: "bump hunt", parameters: { type: "object", properties: { window: { type: "number" } } } } }];

test("scripted LM: v3 prompt with tools, tool_calls, streaming, stop strings, limits", async () => {
  await initBackend("cpu");
  const tok = tokenizer();
  const lm = new ScriptedLM(tok.vocabSize);
  const engine = new LocalEngine(lm as unknown as LM, tok, { modelId: "scripted-lm" });
  const server = await startServer({ engine });
  const c = new OpenAIClient({ baseURL: server.url, maxRetries: 0 });
  const enc = (s: string) => tok.encode(s, { prefix: false, addedTokens: false });
  try {
    // A tool call (this tokenizer has no [TOOL_CALLS] control token, so the model writes it as text).
    lm.script = enc('[TOOL_CALLS] [{"name": "bump_hunt", "arguments": {"window": 100}, "id": "abcdefghi"}]');
    const messages: ChatMessage[] = [{ role: "system", content: "Be brief." }, { role: "user", content: "find the bump" }];
    const r = await c.chat({ model: "scripted-lm", messages, tools: TOOLS });
    assert.equal(r.choices[0].finish_reason, "tool_calls", JSON.stringify(r));
    assert.equal(r.choices[0].message.content, null);
    assert.deepEqual(r.choices[0].message.tool_calls, [{ id: "abcdefghi", type: "function", function: { name: "bump_hunt", arguments: '{"window":100}' } }]);
    // The model saw exactly the v3 encoding of the conversation with its tools.
    const expected = encodeChat(tok, messages, { tools: TOOLS as never });
    assert.deepEqual(lm.prompts.at(-1), expected);
    assert.match(tok.decode(expected), /\[AVAILABLE_TOOLS\].*"name": "bump_hunt".*\[\/AVAILABLE_TOOLS\]\[INST\] Be brief\.\n\nfind the bump\[\/INST\]/s);
    assert.deepEqual(r.usage, { prompt_tokens: expected.length, completion_tokens: lm.script.length, total_tokens: expected.length + lm.script.length });

    // The follow-up turn carries the call and its result in [TOOL_CALLS] / [TOOL_RESULTS].
    lm.script = enc("Excess at 1500 GeV.");
    const turn2: ChatMessage[] = [...messages, r.choices[0].message, { role: "tool", tool_call_id: "abcdefghi", name: "bump_hunt", content: '{"z": 3.9}' }];
    const deltas: string[] = [];
    const s = await c.chatStream({ model: "scripted-lm", messages: turn2, tools: TOOLS }, (d) => deltas.push(d));
    assert.equal(s.choices[0].message.content, "Excess at 1500 GeV.");
    assert.equal(deltas.join(""), "Excess at 1500 GeV.");
    assert.ok(deltas.length > 1, "streamed in pieces");
    assert.match(tok.decode(lm.prompts.at(-1)!), /\[TOOL_CALLS\] \[\{"name": "bump_hunt", "arguments": \{"window": 100\}, "id": "abcdefghi"\}\]<\/s>\[TOOL_RESULTS\] \{"content": \{"z": 3\.9\}, "call_id": "abcdefghi"\}\[\/TOOL_RESULTS\]/);

    // Stop strings end generation before them, also when streaming; max_tokens gives "length".
    lm.script = enc("signal. Because tau21 is small.");
    const st = await c.chat({ model: "scripted-lm", messages: [{ role: "user", content: "x" }], stop: [". Because"] });
    assert.deepEqual([st.choices[0].message.content, st.choices[0].finish_reason], ["signal", "stop"]);
    const pieces: string[] = [];
    await c.chatStream({ model: "scripted-lm", messages: [{ role: "user", content: "x" }], stop: ["tau"] }, (d) => pieces.push(d));
    assert.equal(pieces.join(""), "signal. Because ");
    const ln = await c.chat({ model: "scripted-lm", messages: [{ role: "user", content: "x" }], max_tokens: 3 });
    assert.equal(ln.choices[0].finish_reason, "length");
    assert.equal(ln.usage!.completion_tokens, 3);
    assert.equal(ln.choices[0].message.content, tok.decode(lm.script.slice(0, 3), { skipSpecial: true }));

    // tool_choice "required" primes [TOOL_CALLS]; the model continues with the JSON only.
    lm.script = enc(' [{"name": "bump_hunt", "arguments": {}}]');
    const forced = await c.chat({ model: "scripted-lm", messages: [{ role: "user", content: "x" }], tools: TOOLS, tool_choice: "required", seed: 1 });
    assert.equal(forced.choices[0].message.tool_calls![0].function.name, "bump_hunt");
    assert.match(forced.choices[0].message.tool_calls![0].id, /^[a-zA-Z0-9]{9}$/);
    assert.deepEqual(lm.prompts.at(-1)!.slice(-enc("[TOOL_CALLS]").length), enc("[TOOL_CALLS]"));

    // Malformed call text comes back as plain content.
    lm.script = enc('[TOOL_CALLS] [{"name": bump');
    const broken = await c.chat({ model: "scripted-lm", messages: [{ role: "user", content: "x" }], tools: TOOLS });
    assert.equal(broken.choices[0].message.tool_calls, undefined);
    assert.equal(broken.choices[0].message.content, '[TOOL_CALLS] [{"name": bump');

    // Too long a prompt: a 400 with OpenAI's code, before any stream starts.
    const tooLong = { model: "scripted-lm", messages: [{ role: "user" as const, content: "event ".repeat(800) }] };
    const isContextError = (e: unknown) => e instanceof APIError && e.status === 400 && (e.body as { error: { code: string } }).error.code === "context_length_exceeded";
    await assert.rejects(c.chat(tooLong), isContextError);
    await assert.rejects(c.chatStream(tooLong, () => undefined), isContextError); // refused before the stream starts
    // An assistant turn with text and tool calls (OpenAI allows it, v3 does not): the text is dropped, not refused.
    lm.script = enc("ok");
    const both: ChatMessage = { role: "assistant", content: "let me look", tool_calls: [{ id: "abcdefghi", type: "function", function: { name: "bump_hunt", arguments: "{}" } }] };
    const mixed = await c.chat({ model: "scripted-lm", messages: [{ role: "user", content: "x" }, both, { role: "tool", tool_call_id: "abcdefghi", content: "1" }], tools: TOOLS });
    assert.equal(mixed.choices[0].message.content, "ok");
    assert.doesNotMatch(tok.decode(lm.prompts.at(-1)!), /let me look/);
  } finally {
    await server.close();
  }
});

const V3 = "fixtures/mistral-v3/tokenizer.json";
test("Mistral v3 tokenizer: control ids [AVAILABLE_TOOLS] [TOOL_CALLS] [TOOL_RESULTS] in and out", { skip: skipUnlessShared(V3) }, async () => {
  await initBackend("cpu");
  const tok = loadTokenizer(path.dirname(sharedFile(V3)!));
  const [TOOL_CALLS, AVAILABLE, END_AVAILABLE, RESULTS, END_RESULTS] = [5, 6, 7, 8, 9]; // ids from shared/README.md
  assert.equal(tok.tokenToId("[TOOL_CALLS]"), TOOL_CALLS);
  const lm = new ScriptedLM(tok.vocabSize);
  const server = await startServer({ engine: new LocalEngine(lm as unknown as LM, tok, { modelId: "v3" }) });
  const c = new OpenAIClient({ baseURL: server.url, maxRetries: 0 });
  try {
    // The model answers with the [TOOL_CALLS] control id followed by the JSON, as Mistral-7B-Instruct-v0.3 does.
    lm.script = [TOOL_CALLS, ...tok.encode(' [{"name": "bump_hunt", "arguments": {"window": 400}, "id": "Xy7abc123"}]', { prefix: false, addedTokens: false })];
    const deltas: string[] = [];
    const user: ChatMessage = { role: "user", content: "Any bump?" };
    const r = await c.chatStream({ model: "v3", messages: [user], tools: TOOLS }, (d) => deltas.push(d));
    assert.deepEqual(deltas, []); // tool-call JSON is never streamed as text
    assert.deepEqual(r.choices[0].message.tool_calls, [{ id: "Xy7abc123", type: "function", function: { name: "bump_hunt", arguments: '{"window":400}' } }]);
    const p1 = lm.prompts.at(-1)!;
    assert.deepEqual([p1[0], p1[1]], [tok.bosId, AVAILABLE]);
    assert.ok(p1.indexOf(END_AVAILABLE) < p1.indexOf(3) && p1.indexOf(3) < p1.indexOf(4), "[/AVAILABLE_TOOLS] then [INST] ... [/INST]");
    // Second turn: the call and its result are spliced as control ids.
    lm.script = tok.encode("Z = 3.9 at 3.5 TeV.", { prefix: false, addedTokens: false });
    const r2 = await c.chat({ model: "v3", messages: [user, r.choices[0].message, { role: "tool", tool_call_id: "Xy7abc123", content: '{"z": 3.9}' }], tools: TOOLS });
    assert.equal(r2.choices[0].message.content, "Z = 3.9 at 3.5 TeV.");
    const p2 = lm.prompts.at(-1)!;
    const at = (id: number) => p2.indexOf(id);
    assert.ok(at(4) < at(TOOL_CALLS) && at(TOOL_CALLS) < at(tok.eosId) && at(tok.eosId) < at(RESULTS) && at(RESULTS) < at(END_RESULTS), "[/INST] [TOOL_CALLS] ... </s> [TOOL_RESULTS] ... [/TOOL_RESULTS]");
    assert.equal(p2[p2.length - 1], END_RESULTS);
  } finally {
    await server.close();
  }
});

function makeModelDir(): { root: string; modelDir: string; adapterDir: string; model: LM } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-serve-"));
  const tokDir = path.join(root, "tok");
  const modelDir = path.join(root, "tiny");
  const adapterDir = path.join(root, "adapter");
  const tok = tokenizer();
  saveTokenizer(tok, tokDir);
  const model = initModel(tinyConfig(tok.vocabSize), 7);
  saveModel(model, modelDir, tokDir);
  // An adapter whose B is not zero, so it changes the model.
  const adapter = applyLora(model, { r: 2, alpha: 4, dropout: 0, targetModules: ["q_proj", "v_proj"], seed: 3 });
  for (const v of adapter.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.5, "float32", 11));
  adapter.save(adapterDir);
  return { root, modelDir, adapterDir, model };
}

test("a real tiny model folder (+ LoRA) served in-process: models, completion, streaming, auth", async () => {
  await initBackend("cpu");
  const { root, modelDir, adapterDir, model } = makeModelDir();
  const tok = tokenizer();
  const engine = await LocalEngine.load(modelDir, adapterDir);
  const server = await startServer({ engine, apiKey: "k123" });
  try {
    const c = new OpenAIClient({ baseURL: server.url, apiKey: "k123", maxRetries: 0 });
    assert.deepEqual(await c.listModels(), ["tiny+adapter"]);
    const messages: ChatMessage[] = [{ role: "user", content: "Classify this event" }];
    const r = await c.chat({ model: "tiny+adapter", messages, max_tokens: 6, temperature: 0 });
    // Reference: greedy generation on the in-memory model with the (unmerged) adapter attached.
    const prompt = encodeChat(tok, messages);
    const ref = generate(model, prompt, { maxNewTokens: 6, greedy: true, stopIds: [tok.eosId] });
    assert.equal(r.choices[0].message.content, tok.decode(ref, { skipSpecial: true }));
    assert.deepEqual(r.usage, { prompt_tokens: prompt.length, completion_tokens: ref.length, total_tokens: prompt.length + ref.length });
    const deltas: string[] = [];
    const s = await c.chatStream({ model: "tiny+adapter", messages, max_tokens: 6, temperature: 0 }, (d) => deltas.push(d));
    assert.equal(deltas.join(""), r.choices[0].message.content);
    assert.equal(s.choices[0].finish_reason, r.choices[0].finish_reason);
    // Seeded sampling is reproducible.
    const a = await c.chat({ model: "tiny+adapter", messages, max_tokens: 5, temperature: 1, seed: 5 });
    const b = await c.chat({ model: "tiny+adapter", messages, max_tokens: 5, temperature: 1, seed: 5 });
    assert.equal(a.choices[0].message.content, b.choices[0].message.content);
    await assert.rejects(new OpenAIClient({ baseURL: server.url, maxRetries: 0 }).listModels(), (e: unknown) => e instanceof APIError && e.status === 401);
    await assert.rejects(c.chat({ model: "tiny", messages }), (e: unknown) => e instanceof APIError && e.status === 404);
  } finally {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("`hepllm serve` as a child process on port 0: ready line, key check, clean stop", async () => {
  await initBackend("cpu");
  const { root, modelDir } = makeModelDir();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/hepllm.js"), "serve", "--model", modelDir, "--port", "0", "--api-key-env", "TEST_SERVE_KEY", "--model-id", "tiny"], {
    env: { ...process.env, TEST_SERVE_KEY: "abc", HEPLLM_BACKEND: "cpu", HEPLLM_QUIET_BACKEND: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      setTimeout(() => reject(new Error(`serve not ready in 60 s: ${stderr}`)), 60_000).unref();
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const noKey = await fetch(`${url}/models`);
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as { error: { code: string } }).error.code, "invalid_api_key");
    const c = new OpenAIClient({ baseURL: url, apiKey: "abc", maxRetries: 0 });
    assert.deepEqual(await c.listModels(), ["tiny"]);
    const r = await c.chat({ model: "tiny", messages: [{ role: "user", content: "hello" }], max_tokens: 4, temperature: 0 });
    assert.ok(r.usage!.completion_tokens <= 4);
    const bad = await fetch(`${url}/chat/completions`, { method: "POST", headers: { authorization: "Bearer abc" }, body: '{"model": "tiny", "messages": [{"role": "user"}]}' });
    assert.equal(bad.status, 400);
    assert.deepEqual((await bad.json()) as unknown, { error: { message: "messages[0].content is required", type: "invalid_request_error", param: "messages[0].content", code: null } });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    assert.match(stderr, /POST \/v1\/chat\/completions 200/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    fs.rmSync(root, { recursive: true, force: true });
  }
});
