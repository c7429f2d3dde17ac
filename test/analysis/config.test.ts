import { test } from "node:test";
import * as assert from "node:assert/strict";
import { parseConfig } from "../../lib/analysis/config";
import { loadPrompt, stepTask, STEP_IDS, STEPS, upstreamSteps } from "../../lib/analysis/steps";
import { FEATURE_COLUMNS, LOGISTIC, MJJ_EDGES } from "../../lib/analysis/contract";

test("config: defaults, model forms and names of bad fields", () => {
  const c = parseConfig({ run: "r", data: "d.h5", base_url: "http://h/v1", supervisors: "s", coders: ["a", { model: "b", base_url: "http://g/v1", api_key_env: "K" }] });
  assert.deepEqual(c.steps, [1, 2, 3, 4, 5]);
  assert.equal(c.maxIterations, 3);
  assert.equal(c.repeats, 1);
  assert.equal(c.resultsDir, "results");
  assert.deepEqual(c.tolerance, { significantDigits: 4, atol: 1e-9 });
  assert.deepEqual(c.supervisors, [{ model: "s", baseURL: "http://h/v1", apiKeyEnv: undefined }]);
  assert.deepEqual(c.coders[1], { model: "b", baseURL: "http://g/v1", apiKeyEnv: "K" });
  assert.deepEqual(parseConfig({ run: "r", data: "d", supervisors: "s", coders: "c", steps: ["features", 5] }).steps, [3, 5]);
  assert.throws(() => parseConfig({ run: "r", data: "d", supervisors: "s", coders: "c", steps: [6] }, "cfg.json"), /cfg.json: "steps"\[0\]: unknown step 6/);
  assert.throws(() => parseConfig({ run: "r", data: "d", supervisors: "s", coders: "c", max_iterations: 0 }, "cfg.json"), /"max_iterations" must be a positive integer/);
  assert.throws(() => parseConfig({ run: "r", data: "d", supervisors: "s" }, "cfg.json"), /"supervisors" and "coders" are required/);
  assert.throws(() => parseConfig({ run: "r", data: "d", supervisors: "s", coders: [3] }, "cfg.json"), /"coders"\[0\] must be a model name/);
  assert.throws(() => parseConfig({ run: "r", data: "d", supervisors: "s", coders: "c", sandbox: { network: "off" } }), /sandbox.network/);
});

test("prompts: every placeholder is filled and the contract's numbers appear", () => {
  for (const id of STEP_IDS) {
    const t = stepTask(id);
    assert.doesNotMatch(t, /\{\{/);
    for (const out of STEPS[id].outputs) assert.ok(t.includes(out), `step ${id} prompt names ${out}`);
  }
  assert.match(stepTask(4), new RegExp(`repeat ${LOGISTIC.iterations} times`));
  assert.ok(stepTask(3).includes(FEATURE_COLUMNS.map((c, i) => `${i}: ${c}`).join(", ")));
  assert.ok(stepTask(5).includes(`[${MJJ_EDGES.slice(0, -1).join(", ")}, Infinity]`));
  assert.match(loadPrompt("coder.md"), /single fenced code block/);
});

test("steps: each step's inputs come from the data or from earlier steps", () => {
  assert.deepEqual(upstreamSteps(1), []);
  assert.deepEqual(upstreamSteps(3), [2]);
  assert.deepEqual(upstreamSteps(5), [2, 3, 4]);
});
