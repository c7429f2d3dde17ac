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
  // The quick recipe on a tiny data set (test/study/study.test.ts checks the study itself); every
  // output, runs and report included, goes to the --out folder.
  const r = hepllm(["demo", "--out", out, "--events", "400", "--seed", "2", "--quick", "--jobs", "2", "--real-background", ""]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\[1\/\d+\] simulate: /);
  assert.match(r.stdout, /\n\[2\/\d+\] prepare: /);
  assert.match(r.stdout, /\n\[3\/\d+\] split: /);
  assert.match(r.stdout, /\n\[4\/\d+\] study: /);
  assert.match(r.stdout, /demo finished in [\dhms.]+:\n\s+simulate\s+\S+\s+400 events \(\d+ signal\)/);
  assert.match(r.stdout, /demo wall time: [\d.]+ s/);
  for (const f of ["events.h5", "records.jsonl", "demo.json", "splits/split.json", "splits/1-1/train.jsonl", "splits/1-10/test.jsonl", "study.json", "report/interim-report.md", "runs/llm-fusion-seed1/selected.json"]) {
    assert.ok(fs.existsSync(path.join(out, f)), f);
  }
  const help = hepllm(["demo", "--help"]);
  assert.match(help.stdout, /1\. simulate: .*\n\s+2\. prepare: .*\n\s+3\. split: .*\n\s+4\. study: /);
  assert.equal(hepllm(["demo", "--events", "0"]).status, 2);
  fs.rmSync(root, { recursive: true });
});
