import { test } from "node:test";
import assert from "node:assert/strict";
import { boost, decayTwoBody, decayTwoBodyHelicity, deltaR, FourVector, fromPtYPhiM, mass } from "../../lib/simulation/kinematics";
import { Rng } from "../../lib/util/rng";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test("fromPtYPhiM builds E = mT cosh y, pz = mT sinh y", () => {
  const p = fromPtYPhiM(3, 0.5, Math.PI / 2, 4);
  close(p[0], 5 * Math.cosh(0.5));
  close(p[1], 0, 1e-15);
  close(p[2], 3);
  close(p[3], 5 * Math.sinh(0.5));
  close(mass(p), 4);
});

test("a boost along z by beta = 0.6 (gamma = 1.25) on a particle at rest", () => {
  const frame: FourVector = [1.25, 0, 0, 0.75];
  const b = boost([2, 0, 0, 0], frame);
  close(b[0], 2.5);
  close(b[3], 1.5);
});

test("two-body decays conserve four-momentum and give the daughter masses", () => {
  const rng = new Rng(3);
  for (let k = 0; k < 50; k++) {
    const parent = fromPtYPhiM(rng.range(0, 500), rng.range(-2, 2), rng.range(-3, 3), 3500);
    const [a, b] = decayTwoBody(parent, 500, 100, rng);
    for (let i = 0; i < 4; i++) close(a[i] + b[i], parent[i], 1e-9);
    close(mass(a), 500, 1e-6);
    close(mass(b), 100, 1e-5);
  }
  assert.throws(() => decayTwoBody([100, 0, 0, 0], 60, 50, rng), /kinematically forbidden/);
});

test("deltaR wraps the azimuth", () => {
  close(deltaR(fromPtYPhiM(10, 0, 3.1, 0), fromPtYPhiM(10, 0, -3.1, 0)), 2 * Math.PI - 6.2, 1e-9);
});

test("helicity-frame decays: four-momentum, and <cos^2 theta*> = 1/3, 1/5, 2/5 for a = 0, -1, +1", () => {
  const rng = new Rng(5);
  // <c^2> under 1 + a c^2 on [-1, 1]: (2/3 + 2a/5) / (2 + 2a/3), by hand.
  for (const [a, want] of [[0, 1 / 3], [-1, 1 / 5], [1, 2 / 5]] as const) {
    let s = 0;
    const n = 20000;
    for (let k = 0; k < n; k++) {
      const parent = fromPtYPhiM(1500, 0.7, 1.1, 500);
      const [q1, q2] = decayTwoBodyHelicity(parent, 0, 0, a, rng);
      if (k < 20) for (let i = 0; i < 4; i++) close(q1[i] + q2[i], parent[i], 1e-9);
      // cos theta* from the lab energy split of massless daughters: E1 = (E + |P| c) / 2.
      const P = Math.hypot(parent[1], parent[2], parent[3]);
      const c = (2 * q1[0] - parent[0]) / P;
      s += c * c;
    }
    // Standard error of <c^2> is < 0.3 / sqrt(n) ~ 0.002.
    assert.ok(Math.abs(s / n - want) < 0.008, `a=${a}: <cos^2> ${s / n} vs ${want}`);
  }
  assert.throws(() => decayTwoBodyHelicity([600, 0, 0, 0], 0, 0, 2, rng), /\[-1, 1\]/);
});
