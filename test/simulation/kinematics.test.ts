import { test } from "node:test";
import assert from "node:assert/strict";
import { boost, decayTwoBody, deltaR, FourVector, fromPtYPhiM, mass } from "../../lib/simulation/kinematics";
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
