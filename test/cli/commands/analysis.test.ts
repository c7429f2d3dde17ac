import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { float64, writeNpy } from "../../../lib/analysis/npy";
import { formatCsv } from "../../../lib/analysis/summary";
import { REPO_ROOT } from "../../support/shared";
import { tempDir } from "../../analysis/fixture";

const hepllm = (...args: string[]) =>
  spawnSync("node", [path.join(REPO_ROOT, "bin", "hepllm.js"), "analysis", ...args], { encoding: "utf8", env: { ...process.env, HEPLLM_QUIET: "1" } });

test("analysis validate: exit 0 on a match, 1 with the differing column and rows otherwise", () => {
  const dir = tempDir("cli-analysis");
  const ref = path.join(dir, "ref"), out = path.join(dir, "out");
  writeNpy(path.join(ref, "scores.npy"), float64([3], Float64Array.from([0.1, 0.2, 0.3])));
  writeNpy(path.join(out, "scores.npy"), float64([3], Float64Array.from([0.1, 0.2, 0.30001])));
  const ok = hepllm("validate", "--step", "scores", "--ref", ref, "--out", out);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /All outputs match/);
  writeNpy(path.join(out, "scores.npy"), float64([3], Float64Array.from([0.1, 0.25, 0.3])));
  const bad = hepllm("validate", "--step", "4", "--ref", ref, "--out", out);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /column 0: 1 rows differ, e\.g\. row 1: expected 0\.2, got 0\.25/);
});

test("analysis stats reads a summary CSV; bad usage exits 2", () => {
  const dir = tempDir("cli-stats");
  const csv = path.join(dir, "results_summary.csv");
  const row = { supervisor: "s", coder: "c", step: "3", success: "true", iterations: "2", duration: "4.0", API_calls: "4", tokens: "100", errors: "runtime_exception", error_descriptions: "x", run: "r", repeat: "1", run_dir: "/d" };
  fs.writeFileSync(csv, formatCsv([row, { ...row, success: "false", iterations: "3", errors: "timeout;timeout;timeout" }]));
  const r = hepllm("stats", "--csv", csv);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /s\s+c\s+3\s+1\/2\s+0\.09-0\.91\s+2\.5/);
  assert.match(r.stdout, /runtime_exception×1 timeout×3/);
  assert.equal(hepllm("frobnicate").status, 2);
  assert.equal(hepllm("validate", "--step", "9", "--ref", dir, "--out", dir).status, 2);
});
