import { test } from "node:test";
import * as assert from "node:assert/strict";
import { evaluate } from "../../lib/metrics";

test("evaluate assembles the report from hand-checkable parts", () => {
  // S S B S B B (scores 0.9..0.4); cut 0.5 calls the first five signal.
  const labels = [1, 1, 0, 1, 0, 0];
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
  const m = evaluate(labels, scores, { minBackground: 1 });
  assert.equal(m.n, 6);
  assert.deepEqual(m.confusion, { tp: 3, fp: 2, tn: 1, fn: 0 });
  assert.equal(m.accuracy, 4 / 6);
  assert.equal(m.signal.precision, 3 / 5);
  assert.equal(m.signal.recall, 1);
  assert.equal(m.background.precision, 1);
  assert.equal(m.background.recall, 1 / 3);
  assert.ok(Math.abs(m.auc - 8 / 9) < 1e-15);
  assert.equal(m.balancedAccuracy, (1 + 1 / 3) / 2);
  // No background passes the cuts at εS = 0.3 and 0.5: 1/εB would be +Infinity; it is n/a with the counts.
  assert.ok(Number.isNaN(m.rejection30));
  assert.ok(Number.isNaN(m.rejection50));
  assert.match(m.unsupported!.rejection30, /^0 of 3 background events pass the cut at εS = 0\.3; 1\/εB needs ≥ 10/);
  // Cuts keeping 1 or 2 of the 3 background events (the no-cut point is excluded): best at 0.6, SIC = 1/√(1/3).
  assert.ok(Math.abs(m.maxSic - Math.sqrt(3)) < 1e-12);
  assert.equal(m.unsupported!.maxSic, undefined);
  assert.equal(m.lowerLimits, undefined, "the best cut (0.6) is looser than the tightest allowed (0.7): a true maximum");
  assert.equal(m.maxSicThreshold, 0.6);
  assert.equal(m.threshold, 0.5);
  assert.equal(m.intervals, undefined);
  assert.equal(evaluate(labels, scores, { threshold: 0.75 }).confusion.tp, 2);
});

test("a one-class sample gives NaN ranking metrics instead of failing", () => {
  const m = evaluate([0, 0, 0], [0.1, 0.7, 0.2]);
  assert.ok(Number.isNaN(m.auc));
  assert.ok(Number.isNaN(m.maxSic));
  assert.ok(Number.isNaN(m.balancedAccuracy!));
  assert.equal(m.unsupported!.maxSic, "no signal events in the sample");
  assert.equal(m.accuracy, 2 / 3);
});
