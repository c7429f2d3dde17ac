/** `hepllm tokenize`: ids as a JSON array from a folder holding only a tokenizer. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT, sharedFile, skipUnlessShared } from "../../support/shared";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), ...args], { encoding: "utf8" });
}

test("prints the Mistral v3 ids of a text, BOS as tokenizer_config says", { skip: skipUnlessShared("fixtures/mistral-v3/tokenizer.json") }, () => {
  const dir = sharedFile("fixtures/mistral-v3")!;
  // The reference chat's first turn: <s>[INST]▁What's▁the▁result▁of▁5▁+▁5?[/INST]
  const r = hepllm(["tokenize", "--model", dir, "--text", "What's the result of 5 + 5?"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [1, 2592, 29510, 29481, 1040, 1972, 1070, 29473, 29550, 1416, 29473, 29550, 29572]);
  const noBos = hepllm(["tokenize", "--model", dir, "--text", "Thanks", "--no-bos", "--eos"]);
  assert.deepEqual(JSON.parse(noBos.stdout), [9636, 2]);
});

test("bad usage and a folder without tokenizer.json give clear errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-empty-"));
  try {
    const r = hepllm(["tokenize", "--model", dir, "--text", "x"]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /tokenizer\.json: not found/);
    const u = hepllm(["tokenize", "--text", "x"]);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /--model is required/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
