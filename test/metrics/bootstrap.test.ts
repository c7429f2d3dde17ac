import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { bootstrapIntervals, evaluate, percentile } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";

test("percentile interpolates linearly like numpy's default", () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([1, 2, 3, 4], 0), 1);
  assert.equal(percentile([1, 2, 3, 4], 100), 4);
  assert.ok(Math.abs(percentile([10, 20, 30], 16) - 13.2) < 1e-12);
});

test("percentile treats +Infinity as the largest value (rejections with no background passing)", () => {
  assert.equal(percentile([1, 2, Infinity], 50), 2);
  assert.equal(percentile([1, Infinity, Infinity], 84), Infinity);
  assert.equal(percentile([1, Infinity], 50), Infinity);
});

test("percentile matches numpy", { skip: skipUnlessPython("numpy", "python3-numpy") }, () => {
  const rng = new Rng(3);
  const v = Array.from({ length: 37 }, () => rng.normal()).sort((a, b) => a - b);
  const py = "import sys, json, numpy as np; v = json.load(sys.stdin); print(json.dumps([np.percentile(v, 16), np.percentile(v, 84)]))";
  const r = spawnSync(SYSTEM_PYTHON, ["-c", py], { input: JSON.stringify(v), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const [p16, p84] = JSON.parse(r.stdout) as number[];
  assert.ok(Math.abs(percentile(v, 16) - p16) < 1e-12);
  assert.ok(Math.abs(percentile(v, 84) - p84) < 1e-12);
});

test("bootstrap interval of accuracy has the binomial width and is reproducible", () => {
  // 2000 events, each classified correctly with probability 0.75: σ(acc) = √(p(1−p)/n) ≈ 0.0097.
  const rng = new Rng(11);
  const n = 2000;
  const labels = Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const scores = labels.map((y) => (rng.uniform() < 0.75 ? y : 1 - y) * 0.8 + 0.1);
  const stat = (l: Float64Array, s: Float64Array): Record<string, number> => {
    let ok = 0;
    for (let i = 0; i < l.length; i++) ok += (s[i] >= 0.5 ? 1 : 0) === l[i] ? 1 : 0;
    return { accuracy: ok / l.length };
  };
  const a = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 5 });
  const b = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 5 });
  assert.deepEqual(a, b);
  const acc = stat(Float64Array.from(labels), Float64Array.from(scores)).accuracy;
  const sigma = Math.sqrt((acc * (1 - acc)) / n);
  const [lo, hi] = a.accuracy;
  assert.ok(lo < acc && acc < hi, `${lo} < ${acc} < ${hi}`);
  const halfWidth = (hi - lo) / 2;
  assert.ok(Math.abs(halfWidth / sigma - 1) < 0.2, `half width ${halfWidth} vs binomial σ ${sigma}`);
  const c = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 6 });
  assert.notDeepEqual(a, c);
});

test("evaluate attaches seeded intervals for the headline metrics", () => {
  const rng = new Rng(2);
  const labels = Array.from({ length: 400 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const scores = labels.map((y) => Math.min(1, Math.max(0, 0.5 + 0.3 * rng.normal() + (y ? 0.2 : -0.2))));
  const m = evaluate(labels, scores, { bootstrap: 50, seed: 9 });
  for (const k of ["accuracy", "auc", "signal.f1", "background.precision", "rejection50", "maxSic"]) {
    const iv = m.intervals![k];
    assert.ok(iv && iv[0] <= iv[1], k);
  }
  assert.ok(m.intervals!.auc[0] < m.auc && m.auc < m.intervals!.auc[1]);
  assert.deepEqual(evaluate(labels, scores, { bootstrap: 50, seed: 9 }).intervals, m.intervals);
});
