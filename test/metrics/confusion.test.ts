import { test } from "node:test";
import * as assert from "node:assert/strict";
import { accuracy, accuracyOf, backgroundReport, confusionMatrix, signalReport } from "../../lib/metrics";

// Hand-worked: labels 1 1 1 0 0 0 0, scores cut at 0.5 (>= is signal).
const labels = [1, 1, 1, 0, 0, 0, 0];
const scores = [0.9, 0.5, 0.2, 0.7, 0.4, 0.1, 0.49];

test("confusion matrix counts score >= threshold as signal", () => {
  assert.deepEqual(confusionMatrix(labels, scores), { tp: 2, fp: 1, tn: 3, fn: 1 });
  assert.deepEqual(confusionMatrix(labels, scores, 0.45), { tp: 2, fp: 2, tn: 2, fn: 1 });
});

test("accuracy and per-class precision/recall/F1 by hand", () => {
  const c = confusionMatrix(labels, scores);
  assert.equal(accuracyOf(c), 5 / 7);
  const s = signalReport(c);
  assert.equal(s.precision, 2 / 3);
  assert.equal(s.recall, 2 / 3);
  assert.ok(Math.abs(s.f1 - 2 / 3) < 1e-15);
  assert.equal(s.support, 3);
  const b = backgroundReport(c);
  assert.equal(b.precision, 3 / 4);
  assert.equal(b.recall, 3 / 4);
  assert.ok(Math.abs(b.f1 - 3 / 4) < 1e-15);
  assert.equal(b.support, 4);
  assert.equal(accuracy([1, 0, 1], [1, 1, 1]), 2 / 3);
});

test("zero denominators give 0, as sklearn", () => {
  const c = confusionMatrix([1, 1, 0], [0.1, 0.2, 0.3]);
  assert.deepEqual(signalReport(c), { precision: 0, recall: 0, f1: 0, support: 2 });
});

test("bad input is reported by index", () => {
  assert.throws(() => confusionMatrix([1, 2], [0.1, 0.2]), /label\[1\] = 2/);
  assert.throws(() => confusionMatrix([1, 0], [0.1, NaN]), /score\[1\]/);
  assert.throws(() => confusionMatrix([1, 0], [0.1]), /2 labels but 1 scores/);
});
