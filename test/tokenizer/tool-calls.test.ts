/** Parsing tool calls out of generated text/ids (v3 format), and call ids. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isToolCallId, newToolCallId, parseToolCallIds, parseToolCalls } from "../../lib/tokenizer/tool-calls";
import { encodeChat } from "../../lib/tokenizer/chat";
import { loadTokenizer } from "../../lib/tokenizer/hf-tokenizer";
import { sharedFile, skipUnlessShared } from "../support/shared";
import { Rng } from "../../lib/util/rng";

test("parses [TOOL_CALLS] JSON with ids, nested arguments, brackets inside strings and trailing text", () => {
  const text = '[TOOL_CALLS] [{"name": "select_events", "arguments": {"min_mjj": 3000, "tags": ["a]", "{b"]}, "id": "a1B2c3D4e"}, {"name": "f", "arguments": {}, "id": "Zz9Yy8Xx7"}]</s> trailing';
  assert.deepEqual(parseToolCalls(text), [
    { id: "a1B2c3D4e", type: "function", function: { name: "select_events", arguments: '{"min_mjj":3000,"tags":["a]","{b"]}' } },
    { id: "Zz9Yy8Xx7", type: "function", function: { name: "f", arguments: "{}" } },
  ]);
});

test("a single object, a missing id (fresh 9-char id) and a bare JSON array are accepted", () => {
  const one = parseToolCalls('[TOOL_CALLS]{"name": "g", "arguments": {"x": 1}}', { rng: new Rng(1) })!;
  assert.equal(one.length, 1);
  assert.equal(one[0].function.arguments, '{"x":1}');
  assert.ok(isToolCallId(one[0].id), one[0].id);
  assert.equal(parseToolCalls(' [{"name": "h", "arguments": {}, "id": "123456789"}]')![0].id, "123456789");
});

test("plain answers and malformed calls give null", () => {
  for (const t of [" signal", "", "[TOOL_CALLS]", '[TOOL_CALLS] [{"name": "f", "arguments": {', '[TOOL_CALLS] [{"arguments": {}}]', "[1, 2]", "The list [a, b]"]) {
    assert.equal(parseToolCalls(t), null, JSON.stringify(t));
  }
});

test("call ids are 9 alphanumerics and seeded ids repeat", () => {
  for (let i = 0; i < 50; i++) assert.ok(isToolCallId(newToolCallId()));
  assert.equal(newToolCallId(new Rng(7)), newToolCallId(new Rng(7)));
  assert.equal(isToolCallId("abc"), false);
  assert.equal(isToolCallId("abcdefgh_"), false);
});

test("a v3 tool call encoded by encodeChat is parsed back from its ids", { skip: skipUnlessShared("fixtures/mistral-v3/tokenizer.json") }, () => {
  const tok = loadTokenizer(sharedFile("fixtures/mistral-v3")!);
  const call = { id: "k2L3m4N5o", type: "function" as const, function: { name: "plot_roc", arguments: '{"bins":50,"label":"M_jj > 3 TeV"}' } };
  const ids = encodeChat(tok, [{ role: "user", content: "plot" }, { role: "assistant", tool_calls: [call] }]);
  const generated = ids.slice(ids.indexOf(4) + 1); // what the model would have produced after [/INST]
  assert.equal(generated[0], 5);
  assert.deepEqual(parseToolCallIds(tok, generated), [call]);
});
