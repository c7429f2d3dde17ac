import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { bootstrapIntervals, evaluate, percentile, resampleIndices } from "../../lib/metrics";
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
  const a = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 5, level: 0.68 });
  const b = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 5, level: 0.68 });
  assert.deepEqual(a, b);
  const acc = stat(Float64Array.from(labels), Float64Array.from(scores)).accuracy;
  const sigma = Math.sqrt((acc * (1 - acc)) / n);
  const [lo, hi] = a.accuracy;
  assert.ok(lo < acc && acc < hi, `${lo} < ${acc} < ${hi}`);
  const halfWidth = (hi - lo) / 2;
  assert.ok(Math.abs(halfWidth / sigma - 1) < 0.2, `half width ${halfWidth} vs binomial σ ${sigma}`);
  const c = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 6, level: 0.68 });
  // At the default 95% level the half width is ≈ 1.96 σ.
  const [lo95, hi95] = bootstrapIntervals(labels, scores, stat, { resamples: 400, seed: 5 }).accuracy;
  assert.ok(Math.abs((hi95 - lo95) / 2 / sigma / 1.96 - 1) < 0.2, `95% half width ${(hi95 - lo95) / 2} vs 1.96 σ`);
  assert.notDeepEqual(a, c);
});

test("bootstrap percentile interval of a 3-event sample, enumerated exactly by hand", () => {
  // Events: signal 0.9 (right), background 0.2 (right), signal 0.3 (wrong at cut 0.5). All 27 index
  // triples are one resample each: the number j of right events drawn is Binomial(3, 2/3), so the
  // accuracies j/3 occur 1, 6, 12, 8 times (j = 0..3). Sorted, position 26·0.025 = 0.65 lies between
  // 0 and 1/3 → 0.65/3; position 26·0.975 = 25.35 lies between two 1s → 1.
  const labels = [1, 0, 1];
  const scores = [0.9, 0.2, 0.3];
  const all: Int32Array[] = [];
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) all.push(Int32Array.from([a, b, c]));
  const stat = (l: Float64Array, s: Float64Array): Record<string, number> => {
    let ok = 0;
    for (let i = 0; i < l.length; i++) ok += (s[i] >= 0.5 ? 1 : 0) === l[i] ? 1 : 0;
    return { accuracy: ok / l.length };
  };
  const iv = bootstrapIntervals(labels, scores, stat, { resamples: 27, indices: all }).accuracy;
  assert.ok(Math.abs(iv[0] - 0.65 / 3) < 1e-15, String(iv[0]));
  assert.equal(iv[1], 1);
  // At 68%: positions 26·0.16 = 4.16 (1/3) and 26·0.84 = 21.84 (between 2/3 at 18 and 1 at 19..26 → 1).
  const iv68 = bootstrapIntervals(labels, scores, stat, { resamples: 27, indices: all, level: 0.68 }).accuracy;
  assert.ok(Math.abs(iv68[0] - 1 / 3) < 1e-15);
  assert.equal(iv68[1], 1);
});

test("evaluate's intervals match an independent pure-Python bootstrap on the same resample indices", { skip: skipUnlessPython("json", "python3") }, () => {
  const rng = new Rng(21);
  const labels = Array.from({ length: 150 }, () => (rng.uniform() < 0.45 ? 1 : 0));
  const scores = labels.map((y) => Math.round(Math.min(1, Math.max(0, 0.5 + 0.25 * rng.normal() + (y ? 0.12 : -0.12))) * 50) / 50);
  const m = evaluate(labels, scores, { bootstrap: 300, seed: 7 });
  assert.equal(m.intervalLevel, 0.95);
  assert.deepEqual(m.bootstrap, { resamples: 300, seed: 7 });
  const indices = resampleIndices(labels.length, { resamples: 300, seed: 7 }).map((x) => Array.from(x));
  // Pure Python: AUC by counting ordered pairs (+½ per tie), accuracy and balanced accuracy at 0.5,
  // numpy-style linear percentiles written out by hand.
  const py = `
import sys, json
d = json.load(sys.stdin); y = d["labels"]; s = d["scores"]
def pct(v, q):
    v = sorted(v); pos = (len(v) - 1) * q / 100.0; lo = int(pos); hi = min(lo + 1, len(v) - 1)
    return v[lo] + (pos - lo) * (v[hi] - v[lo])
acc, bal, auc = [], [], []
for idx in d["indices"]:
    ly = [y[i] for i in idx]; ls = [s[i] for i in idx]
    sig = [b for a, b in zip(ly, ls) if a == 1]; bkg = [b for a, b in zip(ly, ls) if a == 0]
    pairs = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in sig for b in bkg)
    auc.append(pairs / (len(sig) * len(bkg)))
    acc.append(sum(1 for a, b in zip(ly, ls) if (b >= 0.5) == (a == 1)) / len(ly))
    bal.append((sum(1 for b in sig if b >= 0.5) / len(sig) + sum(1 for b in bkg if b < 0.5) / len(bkg)) / 2)
print(json.dumps({k: [pct(v, 2.5), pct(v, 97.5)] for k, v in (("auc", auc), ("accuracy", acc), ("balancedAccuracy", bal))}))
`;
  const r = spawnSync(SYSTEM_PYTHON, ["-c", py], { input: JSON.stringify({ labels, scores, indices }), encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, [number, number]>;
  for (const k of ["auc", "accuracy", "balancedAccuracy"]) {
    const [lo, hi] = m.intervals![k];
    assert.ok(Math.abs(lo - ref[k][0]) < 1e-12 && Math.abs(hi - ref[k][1]) < 1e-12, `${k}: [${lo}, ${hi}] vs Python [${ref[k]}]`);
  }
});

test("evaluate attaches seeded intervals for the headline metrics", () => {
  const rng = new Rng(2);
  const labels = Array.from({ length: 400 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const scores = labels.map((y) => Math.min(1, Math.max(0, 0.5 + 0.3 * rng.normal() + (y ? 0.2 : -0.2))));
  const m = evaluate(labels, scores, { bootstrap: 50, seed: 9 });
  for (const k of ["accuracy", "balancedAccuracy", "auc", "signal.f1", "background.precision", "maxSic"]) {
    const iv = m.intervals![k];
    assert.ok(iv && iv[0] <= iv[1], k);
  }
  // 1/εB at εS = 0.5 keeps 15 background events: a value, but more than 5% of the resamples fall
  // below 10, so it has no 95% interval; at εS = 0.3 only 3 pass: no value, no interval.
  assert.ok(Math.abs(m.rejection50 - 203 / 15) < 1e-9, String(m.rejection50));
  assert.equal(m.intervals!.rejection50, undefined);
  assert.match(m.intervalUnsupported!.rejection50, /^only \d+ of 50 bootstrap resamples support it \(need ≥ 48 for a 95% interval\)$/);
  assert.ok(Number.isNaN(m.rejection30));
  assert.equal(m.intervals!.rejection30, undefined);
  assert.ok(m.intervals!.auc[0] < m.auc && m.auc < m.intervals!.auc[1]);
  assert.deepEqual(evaluate(labels, scores, { bootstrap: 50, seed: 9 }).intervals, m.intervals);
});
