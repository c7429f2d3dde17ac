import { test } from "node:test";
import assert from "node:assert/strict";
import { OpenAIClient } from "../../lib/agents/openai/client";
import { runAgent } from "../../lib/agents/loop";
import { ToolRegistry } from "../../lib/agents/tools/tool";
import { bumpHuntTool } from "../../lib/agents/tools/bump_hunt";
import { mjjHistogramTool } from "../../lib/agents/tools/mjj_histogram";
import { startScriptedServer, ScriptedReply } from "../support/scripted-openai-server";
import type { ChatRequest } from "../../lib/agents/openai/types";

const sample = () => {
  const v: number[] = [];
  for (let i = 0; i < 10; i++) for (let k = 0; k < (i === 5 ? 25 : 10); k++) v.push(1050 + 100 * i);
  return v;
};
const tools = () => new ToolRegistry([mjjHistogramTool(sample), bumpHuntTool(sample)]);
const lastTool = (req: ChatRequest) => JSON.parse(req.messages[req.messages.length - 1].content ?? "null");

async function withServer<T>(script: (req: ChatRequest, i: number) => ScriptedReply, fn: (c: OpenAIClient, requests: ChatRequest[]) => Promise<T>): Promise<T> {
  const srv = await startScriptedServer(script);
  try {
    return await fn(new OpenAIClient({ baseURL: srv.url, retryBaseMs: 1, maxRetries: 1 }), srv.requests);
  } finally {
    await srv.close();
  }
}

test("tool calls run, malformed arguments come back as errors, then a final answer", async () => {
  const script = (req: ChatRequest, i: number): ScriptedReply => {
    switch (i) {
      case 0: return { tool_calls: [{ name: "bump_hunt", arguments: '{"range": [1000, 2000], "window": 100,' }] }; // truncated JSON
      case 1: return { tool_calls: [{ name: "bump_hunt", arguments: '{"range": [1000, 2000], "window": "wide", "sideband": 100}' }] };
      case 2: return { tool_calls: [{ name: "histogram", arguments: "{}" }] };
      case 3:
        return { tool_calls: [
          { name: "mjj_histogram", arguments: '{"bins": 10, "range": [1000, 2000]}' },
          { name: "bump_hunt", arguments: '{"range": [1000, 2000], "window": 100, "sideband": 100, "step": 100}' },
        ] };
      default: {
        const best = lastTool(req).best;
        return { content: `Excess at ${best.lo}-${best.hi} GeV, Z = ${best.z.toFixed(2)}.` };
      }
    }
  };
  await withServer(script, async (client, requests) => {
    const r = await runAgent({ client, model: "scripted", tools: tools(), system: "You are a physicist." }, "Look for a bump.");
    assert.equal(r.reason, "final_answer");
    assert.equal(r.answer, "Excess at 1500-1600 GeV, Z = 3.91.");
    assert.equal(r.steps, 5);
    assert.deepEqual(r.toolRuns.map((t) => t.outcome.error ?? "ok"), ["bad_json", "invalid_arguments", "unknown_tool", "ok", "ok"]);
    // The model saw each error as a tool message answering its call id.
    assert.equal(requests[1].messages.at(-1)!.role, "tool");
    assert.equal(requests[1].messages.at(-1)!.tool_call_id, "call_0_0");
    assert.match(lastTool(requests[1]).error, /not valid JSON/);
    assert.match(lastTool(requests[2]).error, /\/window must be number/);
    assert.match(lastTool(requests[3]).error, /unknown tool "histogram"/);
    assert.deepEqual(lastTool(requests[4]).best.n, 25);
    assert.deepEqual(JSON.parse(requests[4].messages.at(-2)!.content!).counts, [10, 10, 10, 10, 10, 25, 10, 10, 10, 10]);
    assert.equal(requests[0].messages[0].role, "system");
    assert.deepEqual(requests[0].tools!.map((t) => t.function.name), ["mjj_histogram", "bump_hunt"]);
    assert.ok(r.usage.total_tokens > 0);
  });
});

test("an endless identical tool loop stops as repeated_call", async () => {
  // Same call each time, keys in a different order: still the same call.
  const args = ['{"bins": 5, "range": [1000, 2000]}', '{"range": [1000, 2000], "bins": 5}'];
  await withServer((_req, i) => ({ tool_calls: [{ name: "mjj_histogram", arguments: args[i % 2] }] }), async (client, requests) => {
    const r = await runAgent({ client, model: "scripted", tools: tools(), maxSteps: 20, repeatLimit: 3 }, "go");
    assert.equal(r.reason, "repeated_call");
    assert.equal(r.steps, 3);
    assert.equal(requests.length, 3);
    assert.match(r.detail!, /requested 3 times/);
    assert.equal(r.messages.at(-1)!.role, "tool"); // the last call was still answered
  });
});

test("varying calls without an answer stop at max_steps", async () => {
  await withServer((_req, i) => ({ tool_calls: [{ name: "mjj_histogram", arguments: `{"bins": ${i + 1}, "range": [0, 1]}` }] }), async (client) => {
    const r = await runAgent({ client, model: "scripted", tools: tools(), maxSteps: 4 }, "go");
    assert.equal(r.reason, "max_steps");
    assert.equal(r.steps, 4);
    assert.equal(r.toolRuns.length, 4);
  });
});

test("an endpoint failure stops as api_error with the message", async () => {
  await withServer((_req, i) => (i === 0 ? { tool_calls: [{ name: "mjj_histogram", arguments: '{"bins": 2, "range": [0, 1]}' }] } : { status: 500, content: "GPU on fire" }), async (client) => {
    const r = await runAgent({ client, model: "scripted", tools: tools() }, "go");
    assert.equal(r.reason, "api_error");
    assert.equal(r.steps, 1);
    assert.match(r.detail!, /GPU on fire/);
  });
});

test("calls without ids or with object arguments (older Ollama) are normalised", async () => {
  let n = 0;
  const client = {
    chat: async (req: ChatRequest) => {
      n++;
      const message = n === 1
        ? { role: "assistant" as const, content: null, tool_calls: [{ type: "function", function: { name: "mjj_histogram", arguments: { bins: 2, range: [1000, 2000] } } }] as never }
        : { role: "assistant" as const, content: `counts ${JSON.parse(req.messages.at(-1)!.content!).counts}` };
      return { id: "x", model: "m", choices: [{ index: 0, message, finish_reason: "stop" }] };
    },
  };
  const r = await runAgent({ client, model: "m", tools: tools() }, "go");
  assert.equal(r.reason, "final_answer");
  assert.equal(r.answer, "counts 50,65"); // sample(): [1000, 1500) holds 5 x 10; [1500, 2000] holds 25 + 4 x 10
  assert.equal(r.messages[2].tool_call_id, "call_1_0");
  assert.equal((r.messages[1].tool_calls ?? [])[0].function.arguments, '{"bins":2,"range":[1000,2000]}');
});

test("usage without total_tokens (some servers) is summed from its parts, never NaN", async () => {
  const replies = [
    { tool_calls: [{ id: "c1", type: "function" as const, function: { name: "mjj_histogram", arguments: '{"bins": 2, "range": [1000, 2000]}' } }] },
    { content: "done" },
  ];
  let i = 0;
  const client = {
    async chat() {
      const r = replies[i++];
      return { id: "x", model: "m", choices: [{ index: 0, message: { role: "assistant" as const, content: null, ...r }, finish_reason: "stop" }], usage: { prompt_tokens: 10, completion_tokens: 3 } as never };
    },
  };
  const r = await runAgent({ client, model: "m", tools: tools() }, "go");
  assert.equal(r.reason, "final_answer");
  assert.deepEqual(r.usage, { prompt_tokens: 20, completion_tokens: 6, total_tokens: 26 });
});
