/**
 * A whole campaign (config -> parallel runs -> results_summary.csv) against a scripted server:
 * "good" gets every step right at once, "learner" needs the supervisor's feedback once,
 * "rogue" writes into the data, then opens a connection, then runs forever.
 */
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { OpenAIClient } from "../../lib/agents/openai/client";
import type { ChatRequest } from "../../lib/agents/openai/types";
import { parseConfig } from "../../lib/analysis/config";
import { mapPool, runCampaign } from "../../lib/analysis/runner";
import { buildReferences } from "../../lib/analysis/reference";
import { aggregate, CSV_COLUMNS, formatStats, readSummary } from "../../lib/analysis/summary";
import { startScriptedServer, ScriptedServer, ScriptedReply } from "../support/scripted-openai-server";
import { fenced, program, simulatedLHCO, tempDir } from "./fixture";

const root = tempDir("campaign");
let server: ScriptedServer;
let data: string;
const RIGHT: Record<string, string> = { 1: program("step1-summary.js"), 4: program("step4-scores.js"), 5: program("step5-categories.js") };

function reply(req: ChatRequest): ScriptedReply {
  if ((req.messages[0].content ?? "").includes("supervisor")) return { content: "Follow the contract.", usage: { prompt_tokens: 100, completion_tokens: 10 } };
  const step = /# Step (\d)/.exec(req.messages[1].content ?? "")![1];
  const iteration = req.messages.filter((m) => m.role === "assistant").length;
  const usage = { prompt_tokens: 200, completion_tokens: 50 };
  if (req.model === "good") return { content: fenced(RIGHT[step]), usage };
  if (req.model === "learner") return { content: fenced(iteration === 0 ? `throw new Error("not yet")` : RIGHT[step]), usage };
  const rogue = [`require("fs").writeFileSync(${JSON.stringify(data)}, "x")`, `require("net").connect(80, "example.org")`, `for (;;) {}`];
  return { content: fenced(rogue[Math.min(iteration, 2)]), usage };
}

before(async () => {
  data = await simulatedLHCO(root, 60, 5);
  server = await startScriptedServer(reply);
});
after(() => server.close());

test("mapPool keeps order and never exceeds the concurrency", async () => {
  let live = 0, peak = 0;
  const out = await mapPool([5, 1, 4, 2, 3], 2, async (x) => {
    peak = Math.max(peak, ++live);
    await new Promise((r) => setTimeout(r, x * 5));
    live--;
    return x * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(peak, 2);
});

test("a campaign over three coders, three steps and two repeats writes the summary CSV", async () => {
  const resultsDir = path.join(root, "results");
  const cfg = parseConfig({
    run: "scripted", results_dir: resultsDir, data, events: 50, base_url: server.url,
    supervisors: ["supervisor-model"], coders: ["good", "learner", "rogue"], steps: [1, 4, 5], repeats: 2,
    max_iterations: 3, concurrency: 3, sandbox: { timeout_s: 2, memory_mb: 1024 },
  });
  const results = await runCampaign(cfg, { log: () => {}, clientFor: (m) => new OpenAIClient({ baseURL: m.baseURL!, maxRetries: 0 }) });
  assert.equal(results.length, 18);
  const rows = readSummary(path.join(resultsDir, "results_summary.csv"));
  assert.equal(rows.length, 18);
  assert.deepEqual(Object.keys(rows[0]), [...CSV_COLUMNS]);
  assert.deepEqual(readSummary(path.join(resultsDir, "scripted", "results_summary.csv")).length, 18);
  for (const r of rows) {
    // tokens: (100 + 10) per supervisor call + (200 + 50) per coder call, per iteration
    const want =
      r.coder === "good" ? ["true", "1", "2", "", "360"]
      : r.coder === "learner" ? ["true", "2", "4", "runtime_exception", "720"]
      : ["false", "3", "6", "sandbox_write;sandbox_network;timeout", "1080"];
    assert.deepEqual([r.success, r.iterations, r.API_calls, r.errors, r.tokens], want, JSON.stringify(r));
    assert.equal(r.supervisor, "supervisor-model");
    assert.ok(fs.existsSync(path.join(r.run_dir, "generated_code")));
  }
  // the first 50 events were cut from the 60-event file for the references
  assert.equal(JSON.parse(fs.readFileSync(path.join(resultsDir, "scripted", "reference", "step1", "summary.json"), "utf8")).n_events, 50);
  // one folder per (coder, repeat), each holding all steps
  const dirs = new Set(rows.map((r) => r.run_dir));
  assert.equal(dirs.size, 6);
  const stats = aggregate(rows);
  const good = stats.find((s) => s.coder === "good" && s.step === "4")!;
  assert.deepEqual([good.trials, good.successes], [2, 2]);
  assert.match(formatStats(stats), /rogue\s+1\s+0\/2/);
  if (process.env.HEPLLM_SHOW_SUMMARY) process.stdout.write(fs.readFileSync(path.join(resultsDir, "results_summary.csv"), "utf8"));
});

test("reference outputs are reused for the same data and rebuilt for other data", async () => {
  const refRoot = path.join(root, "ref-cache");
  const nEvents = (l: Awaited<ReturnType<typeof buildReferences>>) => JSON.parse(fs.readFileSync(path.join(l.outputDir(1), "summary.json"), "utf8")).n_events;
  const a = await buildReferences(data, refRoot, [1]);
  assert.equal(nEvents(a), 60);
  const mtime = fs.statSync(path.join(a.outputDir(1), "summary.json")).mtimeMs;
  await buildReferences(data, refRoot, [1]);
  assert.equal(fs.statSync(path.join(a.outputDir(1), "summary.json")).mtimeMs, mtime);
  const other = await simulatedLHCO(root, 25, 6);
  const lines: string[] = [];
  const b = await buildReferences(other, refRoot, [1], (s) => lines.push(s));
  assert.equal(nEvents(b), 25);
  assert.match(lines.join("\n"), /changed .* rebuilding/);
});
