import { test } from "node:test";
import * as assert from "node:assert/strict";
import { binaryCurve, maxSic, rejectionAt, sicCurve } from "../../lib/metrics";

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test("background rejection at fixed signal efficiency, by hand", () => {
  // S S B S B S B B S B (scores 10..1): 5 signal, 5 background.
  const labels = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0];
  const scores = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const c = binaryCurve(labels, scores);
  // εS = 0.3 is reached between (0.2, 0) and (0.4, 0): no background passes.
  assert.equal(rejectionAt(c, 0.3), Infinity);
  // εS = 0.5 lies between (0.4, 0.2) and (0.6, 0.2): εB = 0.2.
  close(rejectionAt(c, 0.5), 5);
  // εS = 1 first at the 9th event, with 4 of 5 background passing.
  close(rejectionAt(c, 1), 1 / 0.8);
});

test("rejection interpolates along a tied (diagonal) step", () => {
  // One signal and one background tied at 0.9, same at 0.1: points (0,0), (.5,.5), (1,1).
  const c = binaryCurve([1, 0, 1, 0], [0.9, 0.9, 0.1, 0.1]);
  close(rejectionAt(c, 0.3), 1 / 0.3);
  close(rejectionAt(c, 0.5), 2);
  assert.ok(Number.isNaN(rejectionAt(binaryCurve([1, 1], [0.2, 0.3]), 0.5)));
});

test("SIC = εS/√εB and its maximum over cuts keeping enough background", () => {
  // S S B S B B (scores 6..1): points (εS, εB) = (1/3,0) (2/3,0) (2/3,1/3) (1,1/3) (1,2/3) (1,1).
  const labels = [1, 1, 0, 1, 0, 0];
  const scores = [6, 5, 4, 3, 2, 1];
  const all = sicCurve(labels, scores, 1);
  assert.deepEqual(all.thresholds, [4, 3, 2, 1]);
  const expected = [(2 / 3) / Math.sqrt(1 / 3), 1 / Math.sqrt(1 / 3), 1 / Math.sqrt(2 / 3), 1];
  all.sic.forEach((s, i) => close(s, expected[i]));
  assert.deepEqual(all.eff, [2 / 3, 1, 1, 1]);
  const best = maxSic(all);
  close(best.sic, Math.sqrt(3));
  assert.equal(best.threshold, 3);
  // At least 2 background events: the best cut is at score 2.
  const two = maxSic(sicCurve(labels, scores, 2));
  close(two.sic, Math.sqrt(1.5));
  assert.equal(two.threshold, 2);
  // The default (50) keeps no cut here.
  assert.ok(Number.isNaN(maxSic(sicCurve(labels, scores)).sic));
});
