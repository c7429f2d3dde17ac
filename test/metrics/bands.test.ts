import { test } from "node:test";
import * as assert from "node:assert/strict";
import { backgroundEfficiencies, binaryCurve, efficiencyBands, evaluate } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";

test("εB on a grid, by hand: S S B S B B", () => {
  // ROC points (εS, εB): (1/3, 0), (2/3, 0), (2/3, 1/3), (1, 1/3), (1, 2/3), (1, 1).
  const c = binaryCurve([1, 1, 0, 1, 0, 0], [6, 5, 4, 3, 2, 1]);
  const e = backgroundEfficiencies(c, [0.2, 0.5, 2 / 3, 0.9, 1]);
  assert.deepEqual(e.slice(0, 3), [0, 0, 0]);
  // 0.9 lies on the segment (2/3, 1/3) → (1, 1/3): εB = 1/3; εS = 1 is first reached at (1, 1/3).
  assert.ok(Math.abs(e[3] - 1 / 3) < 1e-15 && Math.abs(e[4] - 1 / 3) < 1e-15);
});

test("rejection and SIC bands agree with evaluate at εS = 0.3 (same rule, same resamples)", () => {
  const rng = new Rng(5);
  const labels = Array.from({ length: 1200 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const scores = labels.map((y) => 1 / (1 + Math.exp(-(0.6 * (y ? 1 : -1) + rng.normal()))));
  const m = evaluate(labels, scores, { bootstrap: 100, seed: 4 });
  const b = efficiencyBands(labels, scores, { resamples: 100, seed: 4 });
  const k = b.rejection.eff.indexOf(0.3);
  assert.equal(b.rejection.value[k], m.rejection30);
  assert.deepEqual([b.rejection.lo[k], b.rejection.hi[k]], m.intervals!.rejection30);
  const k5 = b.rejection.eff.indexOf(0.5);
  assert.equal(b.rejection.value[k5], m.rejection50);
  // SIC at a grid point is εS/√εB with the same interpolated εB.
  assert.ok(Math.abs(b.sic.value[k] - 0.3 * Math.sqrt(m.rejection30)) < 1e-12);
  // Tight cuts (εS → 0) keep no background: unsupported, so neither value nor band.
  assert.ok(Number.isNaN(b.rejection.value[0]) && Number.isNaN(b.rejection.lo[0]));
  // Loose cuts keep enough background everywhere: band and value defined, band around the value.
  for (const j of [50, 80, 99]) assert.ok(b.rejection.lo[j] <= b.rejection.value[j] && b.rejection.value[j] <= b.rejection.hi[j], `εS ${b.rejection.eff[j]}`);
  assert.equal(b.level, 0.95);
  assert.throws(() => efficiencyBands(labels, scores, { grid: [0.5, 0.4] }), /grid must increase/);
});
