import { test } from "node:test";
import * as assert from "node:assert/strict";
import { auc, rocCurve } from "../../lib/metrics";

test("ROC curve by hand, without dropping points", () => {
  // Sorted by score: S S B S B B (scores 6..1).
  const r = rocCurve([1, 1, 0, 1, 0, 0], [6, 5, 4, 3, 2, 1], { dropIntermediate: false });
  assert.deepEqual(r.thresholds, [Infinity, 6, 5, 4, 3, 2, 1]);
  assert.deepEqual(r.tpr, [0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1]);
  assert.deepEqual(r.fpr, [0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
  // Area: signal beats background in 8 of 9 pairs.
  assert.ok(Math.abs(auc([1, 1, 0, 1, 0, 0], [6, 5, 4, 3, 2, 1]) - 8 / 9) < 1e-15);
});

test("collinear points are dropped as in sklearn", () => {
  const r = rocCurve([1, 1, 0, 1, 0, 0], [6, 5, 4, 3, 2, 1]);
  // (1/3, 0) lies between (0, 0) and (2/3, 0); (1, 2/3) between (1, 1/3) and (1, 1).
  assert.deepEqual(r.tpr, [0, 2 / 3, 2 / 3, 1, 1]);
  assert.deepEqual(r.fpr, [0, 0, 1 / 3, 1 / 3, 1]);
  assert.deepEqual(r.thresholds, [Infinity, 5, 4, 3, 1]);
});

test("tied scores form one diagonal step and count one half in the AUC", () => {
  // signals {0.5, 0.8}, backgrounds {0.5, 0.2}: pairs 1 + 1 + 1 + 1/2.
  assert.equal(auc([1, 0, 1, 0], [0.5, 0.5, 0.8, 0.2]), 3.5 / 4);
  const r = rocCurve([1, 0, 1, 0], [0.5, 0.5, 0.8, 0.2], { dropIntermediate: false });
  assert.deepEqual(r.thresholds, [Infinity, 0.8, 0.5, 0.2]);
  assert.deepEqual(r.tpr, [0, 0.5, 1, 1]);
  assert.deepEqual(r.fpr, [0, 0, 0.5, 1]);
  assert.equal(auc([1, 0], [0.3, 0.3]), 0.5);
});

test("perfect, inverted and one-class samples", () => {
  assert.equal(auc([1, 1, 0], [0.9, 0.8, 0.1]), 1);
  assert.equal(auc([1, 1, 0], [0.1, 0.2, 0.9]), 0);
  assert.ok(Number.isNaN(auc([1, 1], [0.1, 0.2])));
});
