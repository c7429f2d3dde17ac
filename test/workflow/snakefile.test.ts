/**
 * workflow/Snakefile with Snakemake (skipped when snakemake is missing): the dry run plans every
 * job, the sharded prepare gives the same records as one unsharded `hepllm prepare`, and the
 * analysis rules run real `hepllm analysis` jobs against a scripted OpenAI-compatible server.
 */
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { readSummary } from "../../lib/analysis/summary";
import { REPO_ROOT, requireReference } from "../support/shared";
import { startScriptedServer, ScriptedServer } from "../support/scripted-openai-server";
import { fenced, program, simulatedLHCO, tempDir } from "../analysis/fixture";

const SNAKEFILE = path.join(REPO_ROOT, "workflow", "Snakefile");
const hasSnakemake = spawnSync("snakemake", ["--version"], { stdio: "ignore" }).status === 0;
const skip = requireReference(hasSnakemake ? false : "snakemake is not installed (apt-get install snakemake)");
const work = tempDir("snakemake");
let server: ScriptedServer;

before(async () => {
  if (skip) return;
  const data = await simulatedLHCO(work, 30, 9);
  server = await startScriptedServer((req) => {
    if ((req.messages[0].content ?? "").includes("supervisor")) return { content: "Follow the contract." };
    return { content: fenced(program("step4-scores.js")) };
  });
  fs.writeFileSync(path.join(work, "analysis.json"), JSON.stringify({
    run: "smk", results_dir: "results", data, base_url: server.url, supervisors: ["sup"], coders: ["cod"],
    steps: [4], repeats: 1, max_iterations: 2, concurrency: 1, sandbox: { timeout_s: 30, memory_mb: 1024 },
  }));
  fs.writeFileSync(path.join(work, "config.yaml"), [
    "analysis_config: analysis.json", "run: smk", "steps: [4]",
    `prepare: {input: ${JSON.stringify(data)}, events: 30, shards: 3, output: results/prepare/records.jsonl}`, "",
  ].join("\n"));
});
after(async () => server?.close());

/** Runs snakemake in the scratch folder without blocking the scripted server. */
function snakemake(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn("snakemake", ["-s", SNAKEFILE, "-d", work, "--configfile", path.join(work, "config.yaml"), "--cores", "1", ...args], {
      env: { ...process.env, HEPLLM_QUIET: "1", OPENAI_API_KEY: "" },
    });
    let out = "";
    p.stdout.on("data", (b) => (out += b));
    p.stderr.on("data", (b) => (out += b));
    p.on("close", (status) => resolve({ status, out }));
  });
}

test("dry run (snakemake -n) plans the reference, the step jobs and the prepare shards", { skip }, async () => {
  const r = await snakemake(["-n", "-p"]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /analysis_reference\s+1/);
  assert.match(r.out, /analysis_step\s+1/);
  assert.match(r.out, /prepare_shard\s+3/);
  assert.match(r.out, /bin\/hepllm\.js prepare --in .* --start 10 --stop 20 --jobs 1/);
  assert.match(r.out, /bin\/hepllm\.js analysis run --config analysis\.json --run smk --steps 4/);
});

test("the sharded prepare equals one unsharded prepare", { skip }, async () => {
  const r = await snakemake(["prepare_all"]);
  assert.equal(r.status, 0, r.out);
  const whole = path.join(work, "whole.jsonl");
  const one = spawnSync("node", [path.join(REPO_ROOT, "bin", "hepllm.js"), "prepare", "--in", path.join(work, "sim_30_9.h5"), "--out", whole, "--jobs", "1"], { encoding: "utf8", env: { ...process.env, HEPLLM_QUIET: "1" } });
  assert.equal(one.status, 0, one.stderr);
  const merged = fs.readFileSync(path.join(work, "results", "prepare", "records.jsonl"), "utf8");
  assert.equal(merged.trim().split("\n").length, 30);
  assert.equal(merged, fs.readFileSync(whole, "utf8"));
});

test("the analysis rules run a step through hepllm against the scripted server", { skip }, async () => {
  const r = await snakemake(["analysis_all"]);
  assert.equal(r.status, 0, r.out);
  const rows = readSummary(path.join(work, "results", "results_summary.csv"));
  assert.deepEqual(rows.map((x) => [x.supervisor, x.coder, x.step, x.success, x.iterations]), [["sup", "cod", "4", "true", "1"]]);
  assert.ok(fs.existsSync(path.join(work, "results", "smk", "done", "step4.json")));
});
