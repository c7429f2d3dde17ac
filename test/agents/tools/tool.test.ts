import { test } from "node:test";
import assert from "node:assert/strict";
import { Tool, ToolRegistry, toolSpec } from "../../../lib/agents/tools/tool";
import { classifyEventTool } from "../../../lib/agents/tools/classify_event";
import type { EventRecord } from "../../../lib/jets/record";

const add: Tool<{ a: number; b: number }> = {
  name: "add",
  description: "a + b",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false },
  run: ({ a, b }) => ({ sum: a + b }),
};
const boom: Tool = { name: "boom", description: "throws", parameters: { type: "object" }, run: () => { throw new Error("kaput"); } };
const call = (name: string, args: string) => ({ id: "c", type: "function" as const, function: { name, arguments: args } });

test("registry runs valid calls and reports every failure kind as text", async () => {
  const reg = new ToolRegistry([add, boom]);
  assert.deepEqual(reg.specs()[0], toolSpec(add));
  const ok = await reg.execute(call("add", '{"a": 2, "b": 3}'));
  assert.deepEqual([ok.ok, ok.content], [true, '{"sum":5}']);
  const cases: Array<[string, string, string, RegExp]> = [
    ["add", '{"a": 2, "b": ', "bad_json", /not valid JSON/],
    ["add", '{"a": "2"}', "invalid_arguments", /must have required property 'b'.*\/a must be number|\/a must be number.*required property 'b'/],
    ["add", '{"a": 1, "b": 2, "c": 3}', "invalid_arguments", /additional properties 'c'/],
    ["nope", "{}", "unknown_tool", /unknown tool "nope"; available: add, boom/],
    ["boom", "{}", "exception", /boom failed: kaput/],
  ];
  for (const [name, args, kind, re] of cases) {
    const o = await reg.execute(call(name, args));
    assert.equal(o.ok, false, name + args);
    assert.equal(o.error, kind);
    assert.match(JSON.parse(o.content).error, re);
  }
  assert.throws(() => reg.add(add), /registered twice/);
});

test("classify_event passes records to the injected classifier and thresholds", async () => {
  const jet = { P_T: 1300, eta: 0.1, phi: 1, E: 1400, m: 500, n_particles: 40, P_T_lead: 200, tau1: 0.3, tau2: 0.1, tau3: 0.05, tau21: 0.33, tau32: 0.5, dR: {} };
  const rec = (id: number, m: number): EventRecord => ({ id, type: "unknown", n_particles: 100, n_jets: 2, M_jj: 3500, jets: [{ ...jet, m }, jet] });
  const stub = { score: async (rs: EventRecord[]) => rs.map((r) => (r.jets[0].m > 400 ? 0.9 : 0.2)) };
  const reg = new ToolRegistry([classifyEventTool(stub, (ids) => ids.map((i) => rec(i, 100)))]);
  const byEvents = await reg.execute(call("classify_event", JSON.stringify({ events: [rec(7, 500), rec(8, 50)] })));
  assert.deepEqual(byEvents.result, [
    { id: 7, p_signal: 0.9, label: "signal" },
    { id: 8, p_signal: 0.2, label: "background" },
  ]);
  const byIds = await reg.execute(call("classify_event", '{"ids": [3], "threshold": 0.1}'));
  assert.deepEqual(byIds.result, [{ id: 3, p_signal: 0.2, label: "signal" }]);
  const neither = await reg.execute(call("classify_event", "{}"));
  assert.equal(neither.error, "invalid_arguments");
});
