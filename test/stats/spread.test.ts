import { test } from "node:test";
import * as assert from "node:assert/strict";
import { seedSpread } from "../../lib/stats/spread";

test("seed spread: mean and sample std (n − 1) at hand values", () => {
  // [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, variance 5/3.
  const s = seedSpread([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-15);
  assert.equal(s.n, 4);
  assert.deepEqual(seedSpread([0.9, 0.9, 0.9]), { mean: 0.9, std: 0, n: 3 });
  const one = seedSpread([0.7]);
  assert.equal(one.mean, 0.7);
  assert.ok(Number.isNaN(one.std));
  assert.ok(Number.isNaN(seedSpread([0.8, NaN, 0.9]).mean), "an unsupported run makes the spread n/a");
  assert.equal(seedSpread([]).n, 0);
});
