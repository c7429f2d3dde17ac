import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readAllRecords } from "../../../lib/dataset";
import { eventRecord } from "../../../lib/jets";
import { REPO_ROOT } from "../../support/shared";
import { syntheticEvents, writeEvents } from "../../dataset/events";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // Plain `node bin/hepllm.js` (tsx registered by require, not --import): the worker threads
  // must load TypeScript on their own.
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("hepllm prepare runs its workers under bin/hepllm.js and reports the rate", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-prepare-cli-"));
  const events = syntheticEvents(60, 5);
  const input = path.join(dir, "ev.h5");
  await writeEvents(input, events);
  const out = path.join(dir, "out.jsonl");
  const r = hepllm(["prepare", "--in", input, "--out", out, "--jobs", "2", "--start", "5", "--stop", "50", "--ptmin", "25"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^prepare: 45 events -> .*out\.jsonl in [\d.]+ s \(\d+ events\/s\)\n$/);
  assert.match(r.stderr, /prepare \[#+\] 100% 45\/45 events/);
  const want = events.slice(5, 50).map((e) => JSON.parse(JSON.stringify(eventRecord(e, { ptmin: 25 }))));
  assert.deepEqual(readAllRecords(out), want);

  for (const bad of [["--jobs", "0"], ["--R", "-1"], ["--start", "x"], ["--stop", "3", "--start", "4"], ["--bogus", "1"]]) {
    const b = hepllm(["prepare", "--in", input, "--out", out, ...bad]);
    assert.equal(b.status, 2, `${bad.join(" ")}: ${b.stderr}`);
    assert.match(b.stderr, /usage: hepllm prepare/);
  }
  const missing = hepllm(["prepare", "--in", path.join(dir, "nope.h5"), "--out", out]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.h5: no such file/);
  fs.rmSync(dir, { recursive: true });
});
