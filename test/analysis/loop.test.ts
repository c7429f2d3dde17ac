/**
 * The supervisor–coder loop against a scripted OpenAI-compatible server: the coder's replies are
 * fixed programs (right, wrong, or misbehaving), the supervisor's are canned advice.
 */
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { OpenAIClient } from "../../lib/agents/openai/client";
import type { ChatRequest } from "../../lib/agents/openai/types";
import { categoriseWithModel } from "../../lib/analysis/categoriser";
import { runStep, StepRunOptions } from "../../lib/analysis/loop";
import { buildReferences, ReferenceLayout } from "../../lib/analysis/reference";
import { startScriptedServer, ScriptedServer, ScriptedReply } from "../support/scripted-openai-server";
import { fenced, program, simulatedLHCO, tempDir } from "./fixture";

const root = tempDir("loop");
let layout: ReferenceLayout;
let data: string;
let server: ScriptedServer;
/** Coder replies by step, one per iteration (the last repeats). */
let plan: Record<string, string[]> = {};

function reply(req: ChatRequest): ScriptedReply {
  if ((req.messages[0].content ?? "").includes("supervisor")) return { content: "1. Follow the contract exactly.\n2. Write every output." };
  if (req.model === "broken-endpoint") return { status: 400, content: "model not found" };
  const step = /# Step (\d)/.exec(req.messages[1].content ?? "")![1];
  const iteration = req.messages.filter((m) => m.role === "assistant").length;
  const replies = plan[step];
  return { content: replies[Math.min(iteration, replies.length - 1)] };
}

before(async () => {
  data = await simulatedLHCO(root, 40);
  layout = await buildReferences(data, path.join(root, "reference"), [1, 4, 5]);
  server = await startScriptedServer(reply);
});
after(() => server.close());

const client = () => new OpenAIClient({ baseURL: server.url, maxRetries: 0 });
let trial = 0;
function options(step: 1 | 4 | 5, extra: Partial<StepRunOptions> = {}): StepRunOptions {
  const c = client();
  return {
    step, layout, runDir: path.join(root, "results", `coder_${trial++}`),
    supervisor: { model: "sup", client: c }, coder: { model: "coder", client: c },
    limits: { timeoutMs: 20_000, memoryMb: 1024 }, ...extra,
  };
}

test("wrong code on the first iteration and right on the second: success after two", async () => {
  const wrong = program("step4-scores.js").replace("sig(lin(i)))", "0.5)"); // constant scores
  plan = { 4: [fenced(wrong), fenced(program("step4-scores.js"))] };
  const first = server.requests.length;
  const r = await runStep(options(4));
  assert.equal(r.success, true, JSON.stringify(r.errors));
  assert.equal(r.iterations, 2);
  assert.deepEqual(r.errors.map((e) => e.category), ["validation_mismatch"]);
  assert.equal(r.apiCalls, 4);
  const reqs = server.requests.slice(first);
  assert.equal(reqs.length, 4);
  // the supervisor's second request carries the validation report naming the differing rows
  assert.match(reqs[2].messages.at(-1)!.content!, /scores\.npy: values differ \(column 0: \d+\/40 rows\)/);
  assert.match(reqs[2].messages.at(-1)!.content!, /row 0: expected [0-9.e-]+, got 0\.5/);
  // the coder sees its previous program and the feedback
  assert.equal(reqs[3].messages.filter((m) => m.role === "assistant").length, 1);
  // everything is kept
  for (const f of ["generated_code/step4_iter1.js", "generated_code/step4_iter2.js", "arrays/step4_iter2/scores.npy",
    "logs/step4_iter1.validation.txt", "logs/step4_iter2.stdout.txt", "logs/step4.json",
    "prompt_pairs/step4_iter1_supervisor.json", "prompt_pairs/step4_iter2_coder.json"]) {
    assert.ok(fs.existsSync(path.join(r.runDir, f)), f);
  }
  const tokens = JSON.parse(fs.readFileSync(path.join(r.runDir, "prompt_pairs/step4_iter2_coder.json"), "utf8")).usage.total_tokens;
  assert.ok(tokens > 0 && r.tokens > tokens);
});

test("step 1 with h5wasm in the sandbox (Blosc-compressed input) passes at once", async () => {
  plan = { 1: [fenced(program("step1-summary.js"))] };
  const r = await runStep(options(1));
  assert.equal(r.success, true, JSON.stringify(r.errors));
  assert.equal(r.iterations, 1);
});

test("writing into the data, opening a connection and running forever are stopped and categorised", async () => {
  const hash = () => crypto.createHash("sha256").update(fs.readFileSync(data)).digest("hex");
  const before = hash();
  plan = {
    5: [
      // the LHCO file itself (absolute path), then the step's inputs (links into the reference)
      fenced(`const fs = require("fs"); fs.writeFileSync(${JSON.stringify(data)}, "gone");`),
      fenced(`require("http").get("http://127.0.0.1:9/exfiltrate", () => {});`),
      fenced(`while (true) {}`),
    ],
  };
  const r = await runStep(options(5, { limits: { timeoutMs: 2000, memoryMb: 1024 } }));
  assert.equal(r.success, false);
  assert.equal(r.iterations, 3);
  assert.deepEqual(r.errors.map((e) => e.category), ["sandbox_write", "sandbox_network", "timeout"]);
  assert.match(r.errors[0].description, /SANDBOX VIOLATION: write to .*sim_40_11\.h5/);
  assert.equal(hash(), before);
  plan = { 5: [fenced(`const fs = require("fs"); for (const f of fs.readdirSync(process.argv[2])) fs.writeFileSync(process.argv[2] + "/" + f, "gone");`)] };
  const w = await runStep(options(5, { maxIterations: 1 }));
  assert.deepEqual(w.errors.map((e) => e.category), ["sandbox_write"]);
  for (const f of ["features.npy", "labels.npy", "scores.npy"]) {
    assert.notEqual(fs.readFileSync(path.join(layout.inputDir(5), f)).subarray(0, 6).toString("latin1"), "gone");
  }
});

test("an API error ends the step with api_error; a reply without code is no_code", async () => {
  const r = await runStep(options(4, { coder: { model: "broken-endpoint", client: client() } }));
  assert.equal(r.success, false);
  assert.equal(r.iterations, 1);
  assert.equal(r.errors[0].category, "api_error");
  assert.match(r.errors[0].description, /model not found/);
  plan = { 4: ["I would rather explain the physics.", fenced(program("step4-scores.js"))] };
  const s = await runStep(options(4));
  assert.deepEqual([s.success, s.iterations, s.errors.map((e) => e.category)], [true, 2, ["no_code"]]);
});

test("the model-based categoriser maps a free-text answer onto a category", async () => {
  const srv = await startScriptedServer(() => ({ content: "runtime_exception: the program divided by an undefined value" }));
  try {
    const c = { client: new OpenAIClient({ baseURL: srv.url, maxRetries: 0 }), model: "judge" };
    const r = await categoriseWithModel(c, "stderr: weird", { category: "other", description: "?" });
    assert.equal(r.category, "runtime_exception");
    assert.equal(r.description, "the program divided by an undefined value");
  } finally {
    await srv.close();
  }
  const bad = await startScriptedServer(() => ({ content: "cosmic rays" }));
  try {
    const r = await categoriseWithModel({ client: new OpenAIClient({ baseURL: bad.url, maxRetries: 0 }), model: "judge" }, "x", { category: "other", description: "?" });
    assert.equal(r.category, "other");
  } finally {
    await bad.close();
  }
});
