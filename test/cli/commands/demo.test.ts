import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../support/shared";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("hepllm demo runs end to end on a tiny size and prints a summary", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-demo-cli-"));
  const out = path.join(root, "data");
  // The learning steps at their smallest (test/demo/learning.test.ts checks them); every output
  // goes to the temporary folder, none to the repository's checkpoints/ or reports/.
  const small = ["--quick", "--pretrain-steps", "1", "--train-events", "16", "--val-events", "20"];
  const r = hepllm(["demo", "--out", out, "--events", "160", "--seed", "2", ...small, "--runs", path.join(root, "runs"), "--reports", path.join(root, "reports")]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\[1\/\d+\] simulate: /);
  assert.match(r.stdout, /\n\[2\/\d+\] prepare: /);
  assert.match(r.stdout, /\n\[3\/\d+\] split: /);
  assert.match(r.stdout, /demo finished in [\dhms.]+:\n\s+simulate\s+\S+\s+160 events \(\d+ signal\)/);
  for (const f of ["events.h5", "records.jsonl", "demo.json", "splits/split.json", "splits/1-1/train.jsonl", "splits/1-10/val.jsonl"]) {
    assert.ok(fs.existsSync(path.join(out, f)), f);
  }
  const help = hepllm(["demo", "--help"]);
  assert.match(help.stdout, /1\. simulate: .*\n\s+2\. prepare: .*\n\s+3\. split: /);
  assert.equal(hepllm(["demo", "--events", "0"]).status, 2);
  fs.rmSync(root, { recursive: true });
});
