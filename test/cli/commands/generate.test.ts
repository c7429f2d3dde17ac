/**
 * `hepllm generate` and `hepllm logits` end to end on the real stories260K model (golden ids and
 * logits), and `logits --adapter` against the PyTorch reference with a Python-written adapter.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { initBackend, saveModel } from "../../../lib/llm";
import { REPO_ROOT, sharedFile, skipUnlessShared, skipUnlessPython } from "../../support/shared";
import { maxAbsDiff, randomModel, runPython, tempDir, TINY_MISTRAL, torchLogits } from "../../llm/support";

const STORIES = "fixtures/stories260K";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/hepllm.js"), ...args], { encoding: "utf8", env: { ...process.env, HEPLLM_QUIET_BACKEND: "1" } });
}

test("generate --ids --json and --prompt reproduce the golden greedy continuation", { skip: skipUnlessShared(`${STORIES}/golden.json`) }, () => {
  const dir = sharedFile(STORIES)!;
  const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8"));
  const r = hepllm(["generate", "--model", dir, "--ids", "1", "--max-new-tokens", "12", "--greedy", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.ids, golden.greedy_ids_from_bos.slice(1, 13));
  assert.ok(golden.greedy_text.startsWith(out.text.trim()), out.text);
  const p = hepllm(["generate", "--model", dir, "--prompt", "Once upon a time", "--max-new-tokens", "8"]);
  assert.equal(p.status, 0, p.stderr);
  assert.ok(p.stdout.startsWith(", there was a little"), p.stdout);
  const bad = hepllm(["generate", "--model", dir]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /exactly one of --prompt and --ids/);
});

test("logits prints the last-position logits", { skip: skipUnlessShared(`${STORIES}/golden.json`) }, () => {
  const dir = sharedFile(STORIES)!;
  const golden = JSON.parse(fs.readFileSync(path.join(dir, "golden.json"), "utf8"));
  const r = hepllm(["logits", "--model", dir, "--ids", "1,403,407"]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(maxAbsDiff(JSON.parse(r.stdout), golden.prompt_logits_all_positions[2]) < 1e-4);
});

test("logits --adapter matches torch with W + s·B·A", { skip: skipUnlessPython("torch", "python3-torch") }, async () => {
  await initBackend();
  const d = tempDir("cli-lora");
  try {
    const m = randomModel(TINY_MISTRAL, 5);
    saveModel(m, path.join(d, "m"));
    m.dispose();
    runPython("make_adapter.py", [path.join(d, "m"), path.join(d, "a"), "2", "5", "1", "k_proj,o_proj,up_proj"]);
    const ids = [1, 9, 27, 81, 3];
    const [ref] = torchLogits(path.join(d, "m"), [{ ids: [ids], adapter: path.join(d, "a") }]);
    const r = hepllm(["logits", "--model", path.join(d, "m"), "--ids", ids.join(","), "--adapter", path.join(d, "a")]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(maxAbsDiff(JSON.parse(r.stdout), ref[0][4]) < 1e-4);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});
