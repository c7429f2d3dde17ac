import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ksDistance } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";

test("KS distance by hand", () => {
  assert.equal(ksDistance([1, 2, 3], [1, 2, 3]), 0);
  assert.equal(ksDistance([1, 2], [3, 4]), 1);
  // F_a jumps to 1/2 at 1 while F_b is 0 until 1.5.
  assert.equal(ksDistance([1, 2], [1.5, 2]), 0.5);
  // Ties across samples: at x=1 both CDFs are 1/2 and 1/4.
  assert.equal(ksDistance([1, 3], [1, 2, 2, 2]), 0.5);
});

test("KS distance matches scipy.stats.ks_2samp", { skip: skipUnlessPython("scipy", "python3-scipy") }, () => {
  const rng = new Rng(7);
  const a = Array.from({ length: 300 }, () => Math.round(rng.normal() * 20) / 10);
  const b = Array.from({ length: 200 }, () => Math.round((rng.normal() * 1.2 + 0.3) * 10) / 10);
  const py = "import sys, json; from scipy.stats import ks_2samp; d = json.load(sys.stdin); print(ks_2samp(d['a'], d['b']).statistic)";
  const r = spawnSync(SYSTEM_PYTHON, ["-c", py], { input: JSON.stringify({ a, b }), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Math.abs(ksDistance(a, b) - Number(r.stdout)) < 1e-12);
});
