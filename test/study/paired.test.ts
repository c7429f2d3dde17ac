import { test } from "node:test";
import * as assert from "node:assert/strict";
import { pairedBootstrap } from "../../lib/metrics";
import { pairedArmDifferences } from "../../lib/study/paired";
import { Rng } from "../../lib/util/rng";
import { pairAuc } from "../support/pair-auc";

function sample(n: number, seed: number, strength: number, labels: number[]): number[] {
  const rng = new Rng(seed);
  return labels.map((l) => 1 / (1 + Math.exp(-(strength * (l - 0.5) + rng.normal()))));
}

test("the difference of seed means is exact on all events; with one seed the interval is metrics' pairedBootstrap", () => {
  const rng = new Rng(9);
  const labels = Array.from({ length: 300 }, () => (rng.uniform() < 0.4 ? 1 : 0));
  const a = [sample(300, 1, 2.0, labels), sample(300, 2, 2.2, labels), sample(300, 3, 1.8, labels)];
  const b = [sample(300, 4, 1.0, labels), sample(300, 5, 1.2, labels), sample(300, 6, 0.8, labels)];
  const out = pairedArmDifferences(labels, { A: a, B: b }, [["A", "B"]], ["auc"], { resamples: 200, level: 0.95, seed: 3 });
  const d = out["A − B"].auc;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const refA = mean(a.map((s) => pairAuc(labels, s)));
  const refB = mean(b.map((s) => pairAuc(labels, s)));
  assert.ok(Math.abs(d.a - refA) < 1e-12 && Math.abs(d.b - refB) < 1e-12);
  assert.ok(Math.abs(d.diff - (refA - refB)) < 1e-12);
  d.perSeed.forEach((x, k) => assert.ok(Math.abs(x - (pairAuc(labels, a[k]) - pairAuc(labels, b[k]))) < 1e-12));
  assert.ok(d.interval[0] < d.diff && d.diff < d.interval[1]);
  assert.equal(d.verdict, d.interval[0] > 0 ? "beyond CI" : "within CI");

  // One seed per arm: the same resamples (same seed) as metrics' paired bootstrap give its interval.
  const one = pairedArmDifferences(labels, { A: [a[0]], B: [b[0]] }, [["A", "B"]], ["auc", "balancedAccuracy"], { resamples: 200, level: 0.9, seed: 11 });
  const ref = pairedBootstrap(labels, a[0], b[0], ["auc", "balancedAccuracy"], { resamples: 200, level: 0.9, seed: 11 });
  for (const m of ["auc", "balancedAccuracy"]) {
    assert.ok(Math.abs(one["A − B"][m].interval[0] - ref[m].interval[0]) < 1e-12, m);
    assert.ok(Math.abs(one["A − B"][m].interval[1] - ref[m].interval[1]) < 1e-12, m);
  }
});

test("identical arms differ by zero, within the CI; bad input is named", () => {
  const labels = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
  const s = [0.9, 0.2, 0.6, 0.4, 0.7, 0.5, 0.8, 0.1, 0.3, 0.35];
  const out = pairedArmDifferences(labels, { A: [s], B: [s] }, [["A", "B"]], ["auc"], { resamples: 50, level: 0.95 });
  assert.equal(out["A − B"].auc.diff, 0);
  assert.deepEqual(out["A − B"].auc.interval, [0, 0]);
  assert.equal(out["A − B"].auc.verdict, "within CI");
  assert.throws(() => pairedArmDifferences(labels, { A: [s] }, [["A", "B"]], ["auc"], { resamples: 5, level: 0.95 }), /no scores for arm B/);
  assert.throws(() => pairedArmDifferences(labels, { A: [s], B: [s.slice(1)] }, [["A", "B"]], ["auc"], { resamples: 5, level: 0.95 }), /B seed 0 has 9 scores for 10 events/);
});
