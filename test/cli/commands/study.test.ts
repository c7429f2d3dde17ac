import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../support/shared";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("hepllm study: help names the protocol; contradictory or missing inputs are usage errors", () => {
  const help = hepllm(["study", "--help"]);
  assert.equal(help.status, 0);
  for (const s of ["--records", "--background-only", "llm-fusion", "llm-text", "mlp", "study.json", "selects its checkpoint on val"]) assert.ok(help.stdout.includes(s), s);
  const cases: Array<[string[], RegExp]> = [
    [["study", "--records", "r.jsonl"], /--out is required/],
    [["study", "--out", "o", "--records", "r.jsonl", "--train", "t.jsonl"], /either --records or --train/],
    [["study", "--out", "o", "--train", "t.jsonl", "--val", "v.jsonl"], /at least one --test/],
    [["study", "--out", "o", "--records", "r.jsonl", "--test-size", "200,220"], /--test-size and --val-size go together/],
    [["study", "--out", "o", "--records", "r.jsonl", "--test-size", "200", "--val-size", "100,110"], /--test-size takes two sizes/],
    [["study", "--out", "o", "--train", "t.jsonl", "--val", "v.jsonl", "--test", "x.jsonl", "--train-size", "10"], /apply to --records/],
  ];
  for (const [args, re] of cases) {
    const r = hepllm(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
