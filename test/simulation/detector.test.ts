import { test } from "node:test";
import assert from "node:assert/strict";
import { detectorResponse } from "../../lib/simulation/detector";
import { ParticleList } from "../../lib/simulation/particles";
import { Rng } from "../../lib/util/rng";

test("no calorimeter share leaves the particles as generated", () => {
  const l = new ParticleList();
  l.add(1, 2, 3);
  detectorResponse(l, { neutralFraction: 0, caloStochastic: 1.5, caloConstant: 0.1 }, new Rng(1));
  assert.deepEqual([l.px[0], l.py[0], l.pz[0]], [1, 2, 3]);
});

test("calorimeter deposits keep their direction, and their energy has the stated resolution", () => {
  // 100 GeV deposits: sigma/E = hypot(1.5 / 10, 0.1) = 0.18028 (by hand), mean response 1.
  const l = new ParticleList();
  const n = 20000;
  for (let i = 0; i < n; i++) l.add(60, 0, 80);
  detectorResponse(l, { neutralFraction: 1, caloStochastic: 1.5, caloConstant: 0.1 }, new Rng(2));
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    assert.equal(l.py[i], 0);
    assert.ok(Math.abs(l.pz[i] / l.px[i] - 80 / 60) < 1e-12 || l.px[i] === 0);
    const k = Math.hypot(l.px[i], l.pz[i]) / 100;
    s += k;
    s2 += k * k;
  }
  const mean = s / n;
  const sd = Math.sqrt(s2 / n - mean * mean);
  assert.ok(Math.abs(mean - 1) < 0.006, `mean response ${mean}`);
  assert.ok(Math.abs(sd - 0.18028) < 0.006, `resolution ${sd}`);
});
