import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeRecords } from "../../../lib/dataset";
import { REPO_ROOT } from "../../support/shared";
import { makeRecord } from "../../dataset/records";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("hepllm split writes the sets and prints their counts", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-split-cli-"));
  const file = path.join(dir, "r.jsonl");
  writeRecords(file, Array.from({ length: 200 }, (_, i) => makeRecord(i, i % 5 === 0 ? "signal" : "background")));
  const out = path.join(dir, "sets");
  const r = hepllm(["split", "--in", file, "--out", out, "--ratios", "1:1,1:3", "--val-size", "10,20", "--seed", "5"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  const lines = r.stdout.split("\n");
  assert.match(r.stdout, /40 signal, 160 background; seed 5/);
  // 40 signal: tests (= val sizes) 5 + 5, vals 5 + 5 -> 20 held out; 20 left, 10 per ratio.
  // Background: 5 + 15 + 5 + 15 = 40 held out, 120 left: 1:1 needs 10, 1:3 then takes 30.
  assert.match(r.stdout, /test \+ validation \(never trained on\): 20 signal, 40 background; 120 events checked in no two sets/);
  assert.ok(lines.some((l) => /^1-1\s+train\s+10\s+10\s+20\s/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^1-1\s+val\s+5\s+5\s+10\s/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^1-1\s+test\s+5\s+5\s+10\s/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^1-3\s+train\s+10\s+30\s+40\s/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^1-3\s+val\s+5\s+15\s+20\s/.test(l)), r.stdout);
  assert.ok(lines.some((l) => /^1-3\s+test\s+5\s+15\s+20\s/.test(l)), r.stdout);
  assert.equal(fs.readFileSync(path.join(out, "1-3", "test.jsonl"), "utf8").trim().split("\n").length, 20);

  // --test-size and --train-size 0 (no training set for 1:3).
  const t = hepllm(["split", "--in", file, "--out", out, "--ratios", "1:1,1:3", "--val-size", "4", "--test-size", "8,40", "--train-size", "20,0"]);
  assert.equal(t.status, 0, t.stderr);
  assert.ok(t.stdout.split("\n").some((l) => /^1-3\s+test\s+10\s+30\s+40\s/.test(l)), t.stdout);
  assert.ok(t.stdout.split("\n").some((l) => /^1-3\s+train\s+0\s+0\s+0\s/.test(l)), t.stdout);
  assert.ok(t.stdout.split("\n").some((l) => /^1-1\s+train\s+10\s+10\s+20\s/.test(l)), t.stdout);
  assert.equal(fs.readFileSync(path.join(out, "1-3", "train.jsonl"), "utf8"), "");
  const json = JSON.parse(fs.readFileSync(path.join(out, "split.json"), "utf8"));
  assert.match(json.sets[1].test.idsSha256, /^[0-9a-f]{64}$/);

  const short = hepllm(["split", "--in", file, "--out", out, "--ratios", "1:1", "--val-size", "9"]);
  assert.equal(short.status, 0, short.stderr);
  assert.equal(short.stderr, "");
  assert.match(short.stdout, /\nnote: 1-1: test size 9 is not a multiple of 2; using 8 \(4 signal \+ 4 background\)\nnote: 1-1: validation size 9 is not a multiple of 2; using 8 \(4 signal \+ 4 background\)$/m);
  const few = hepllm(["split", "--in", file, "--out", out, "--ratios", "1:1", "--val-size", "100"]);
  assert.match(few.stderr, /^warning: 1-1: only 40 signal and 160 background records; test set reduced from 100 to 20 events/);

  const bad = hepllm(["split", "--in", file, "--out", out, "--ratios", "1:x"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--ratios: "1:x" is not signal:background/);
  assert.equal(hepllm(["split", "--in", file, "--out", out, "--val-size", "1,2,3"]).status, 2);
  assert.equal(hepllm(["split", "--in", file, "--out", out, "--test-size", "-1"]).status, 2);
  fs.rmSync(dir, { recursive: true });
});
