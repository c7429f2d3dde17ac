import { test } from "node:test";
import assert from "node:assert/strict";
import { ksDistance, ksPValue } from "../../lib/stats/ks";

// Expected values derived by hand from the two empirical CDFs.
test("identical samples have distance 0", () => {
  assert.equal(ksDistance([3, 1, 2], [1, 2, 3]), 0);
});

test("disjoint samples have distance 1", () => {
  assert.equal(ksDistance([1, 2, 3], [4, 5, 6]), 1);
  assert.equal(ksDistance([4, 5, 6], [1, 2, 3]), 1);
});

test("half-overlapping samples: F_a(2) = 1/2 vs F_b(2) = 0", () => {
  assert.equal(ksDistance([1, 2, 3, 4], [3, 4, 5, 6]), 0.5);
});

test("ties are compared after all equal values: D = |2/3 - 1/3| at x = 1", () => {
  assert.ok(Math.abs(ksDistance([1, 1, 2], [1, 2, 2]) - 1 / 3) < 1e-15);
});

test("different sizes: [0.5] vs [0, 1] gives 1/2", () => {
  assert.equal(ksDistance([0.5], [0, 1]), 0.5);
  assert.equal(ksDistance([0, 1], [0.5]), 0.5);
});

test("inputs are not reordered", () => {
  const a = new Float64Array([3, 1, 2]);
  ksDistance(a, [0]);
  assert.deepEqual([...a], [3, 1, 2]);
});

test("p-value follows the Kolmogorov distribution for large samples", () => {
  // Q_KS(1.3581) = 0.05 and Q_KS(0.8276) = 0.5 (tabulated quantiles of the Kolmogorov distribution).
  const n = 1e8;
  const ne = Math.sqrt(n / 2);
  assert.ok(Math.abs(ksPValue(1.3581 / ne, n, n) - 0.05) < 1e-3);
  assert.ok(Math.abs(ksPValue(0.8276 / ne, n, n) - 0.5) < 1e-3);
  assert.equal(ksPValue(0, 10, 10), 1);
  assert.ok(ksPValue(1, 1000, 1000) < 1e-100);
});

test("p-value is 1 for a tiny distance, where the alternating series converges too slowly", () => {
  // Q_KS(lambda) = 1 - O(exp(-pi^2 / (8 lambda^2))): 1 in double precision for lambda < 0.1.
  const n = 1e8;
  const ne = Math.sqrt(n / 2);
  for (const lambda of [0.0011, 0.005, 0.01, 0.02, 0.03, 0.05]) assert.ok(Math.abs(ksPValue(lambda / ne, n, n) - 1) < 1e-9, `lambda ${lambda}`);
});

test("empty or non-finite samples are rejected with the sample named", () => {
  assert.throws(() => ksDistance([], [1]), /first sample is empty/);
  assert.throws(() => ksDistance([1], [2, NaN]), /second sample has a non-finite value NaN at index 1/);
});
