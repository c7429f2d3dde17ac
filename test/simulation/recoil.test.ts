import { test } from "node:test";
import assert from "node:assert/strict";
import { fromPtYPhiM, FourVector, mass } from "../../lib/simulation/kinematics";
import { ParticleList } from "../../lib/simulation/particles";
import { conserveResonanceMomentum } from "../../lib/simulation/recoil";

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

function total(l: ParticleList, from = 0): FourVector {
  const t: FourVector = [0, 0, 0, 0];
  for (let i = from; i < l.n; i++) {
    t[0] += Math.hypot(l.px[i], l.py[i], l.pz[i]);
    t[1] += l.px[i];
    t[2] += l.py[i];
    t[3] += l.pz[i];
  }
  return t;
}

test("a resonance's massless products are made to sum to its four-momentum", () => {
  const target = fromPtYPhiM(1600, 0.4, 2.0, 100);
  const l = new ParticleList();
  l.add(7, 7, 7); // a particle before `from`: untouched
  // Three products along the target's direction with spread; their mass is not 100 GeV.
  for (const [pt, deta, dphi] of [[900, 0.03, 0.02], [650, -0.05, -0.04], [60, 0.1, 0.12]]) l.addPtEtaPhi(pt, 0.4 + deta, 2.0 + dphi);
  assert.ok(Math.abs(mass(total(l, 1)) - 100) > 5);
  conserveResonanceMomentum(l, 1, target);
  const t = total(l, 1);
  for (let i = 0; i < 4; i++) close(t[i], target[i], 1e-9);
  assert.deepEqual([l.px[0], l.py[0], l.pz[0]], [7, 7, 7]);
});

test("products already at the resonance's four-momentum stay where they are", () => {
  // Two back-to-back 50 GeV particles: mass 100, at rest.
  const l = new ParticleList();
  l.add(30, 40, 0);
  l.add(-30, -40, 0);
  conserveResonanceMomentum(l, 0, [100, 0, 0, 0]);
  close(l.px[0], 30, 1e-12);
  close(l.py[1], -40, 1e-12);
});
