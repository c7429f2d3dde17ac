import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { followLossCurve, liveFigure } from "../../lib/report";

test("a live figure outside a notebook kernel displays nothing and does not render", async () => {
  // An invalid spec would make vega throw if it were rendered.
  assert.equal(await liveFigure().update({ mark: "no-such-mark" }), undefined);
});

test("following a run log tolerates a missing log and a half-written last line", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-live-"));
  try {
    const follow = followLossCurve(dir, { everyMs: 5 });
    await new Promise((r) => setTimeout(r, 20)); // polls with no log.jsonl yet
    const line = JSON.stringify({ kind: "train", run: "r", step: 1, epoch: 0, loss: 0.7, lr: 1e-3, tokensPerSecond: 1, time: "t" });
    fs.writeFileSync(path.join(dir, "log.jsonl"), `${line}\n{"kind": "tra`); // as if caught mid-append
    await new Promise((r) => setTimeout(r, 20));
    await follow.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
