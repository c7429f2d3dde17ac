import { test } from "node:test";
import * as assert from "node:assert/strict";
import { falsePositiveRate, thresholdAtSignalEfficiency } from "../../lib/metrics";

test("working point: the highest cut keeping the asked signal efficiency", () => {
  // Signal scores 0.9, 0.8, …, 0.0 (10 events): εS = 0.3 keeps the top 3 → cut 0.7; 0.35 → 4 → 0.6.
  const labels = [...Array(10).fill(1), 0, 0];
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.95, 0.05];
  assert.equal(thresholdAtSignalEfficiency(labels, scores, 0.3), 0.7);
  assert.equal(thresholdAtSignalEfficiency(labels, scores, 0.35), 0.6);
  assert.equal(thresholdAtSignalEfficiency(labels, scores, 1), 0.0);
  assert.equal(thresholdAtSignalEfficiency(labels, scores, 0.01), 0.9);
  assert.throws(() => thresholdAtSignalEfficiency([0, 0], [0.1, 0.2], 0.5), /no signal events/);
  assert.throws(() => thresholdAtSignalEfficiency(labels, scores, 0), /not in \(0, 1\]/);
});

test("false-positive rate on a signal-free sample with its Clopper–Pearson interval", () => {
  // 0 of 10 pass: [0, 1 − 0.025^(1/10)] = [0, 0.3085].
  const none = falsePositiveRate([0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.4], 0.5);
  assert.equal(none.k, 0);
  assert.equal(none.n, 10);
  assert.equal(none.rate, 0);
  assert.equal(none.interval[0], 0);
  assert.ok(Math.abs(none.interval[1] - 0.3084971) < 1e-6);
  // 5 of 10 pass (score >= cut, the cut itself included): [0.1871, 0.8129].
  const half = falsePositiveRate([0.5, 0.6, 0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.4, 0.45], 0.5);
  assert.equal(half.k, 5);
  assert.ok(Math.abs(half.interval[0] - 0.1871) < 5e-5 && Math.abs(half.interval[1] - 0.8129) < 5e-5);
  assert.equal(half.level, 0.95);
  assert.throws(() => falsePositiveRate([0.1, NaN], 0.5), /score\[1\]/);
  assert.throws(() => falsePositiveRate([], 0.5), /empty/);
});
