/**
 * N-subjettiness: hand-derived values on tiny jets, and FastJet (exclusive-kt axes from
 * ClusterSequence::exclusive_jets, fjcontrib's normalised measure) on random LHCO-like jets.
 */
import { test } from "node:test";
import { requireReference } from "../support/shared";
import * as assert from "node:assert/strict";
import { clusterJets, fourMomenta, nsubjettiness } from "../../lib/jets";
import { buildFastjetDriver, fastjetCluster, fastjetUnavailable } from "../../bench/fastjet/driver";
import { randomEvents } from "../../bench/fastjet/random-events";

const f64 = (a: number[]) => Float64Array.from(a);

test("tau_N of tiny jets, derived by hand", () => {
  // Two equal-pT particles at eta 0, phi -+d: one axis at phi 0 (the E-scheme sum), each particle
  // d away -> tau1 = (pT d + pT d) / (2 pT R0) = d / R0; tau2 = tau3 = 0 (N >= constituents).
  const d = 0.2;
  const fm = fourMomenta(f64([50, 50]), f64([0, 0]), f64([-d, d]));
  const tau = nsubjettiness(fm, [0, 1], { R0: 0.8 });
  assert.ok(Math.abs(tau[0] - d / 0.8) < 1e-12, `tau1 ${tau[0]}`);
  assert.deepEqual([tau[1], tau[2]], [0, 0]);
  // Three particles: a hard pair 0.1 apart (merged first by kt: smaller min(kt^2) DeltaR^2 than the
  // others) and a soft one far away. tau2: axes = {pair sum, soft particle}; the pair's members sit
  // at their pT-weighted offsets from the pair axis: for pTs 100 and 50 at phi 0 and 0.1 the axis is
  // near phi 0.0333, giving (100 * 0.0333 + 50 * 0.0667) / 160 = 0.0417 (R0 = 1).
  const fm3 = fourMomenta(f64([100, 50, 10]), f64([0, 0, 0.6]), f64([0, 0.1, 0.4]));
  const t3 = nsubjettiness(fm3, [0, 1, 2], { R0: 1 });
  const axisPhi = Math.atan2(100 * Math.sin(0) + 50 * Math.sin(0.1), 100 * Math.cos(0) + 50 * Math.cos(0.1));
  const expected2 = (100 * axisPhi + 50 * (0.1 - axisPhi)) / 160;
  assert.ok(Math.abs(t3[1] - expected2) < 1e-12, `tau2 ${t3[1]} vs ${expected2}`);
  assert.equal(t3[2], 0);
  assert.ok(t3[0] > t3[1]);
  // Normalisation: tau scales as 1/R0 (beta = 1).
  const t3b = nsubjettiness(fm3, [0, 1, 2], { R0: 0.5 });
  assert.ok(Math.abs(t3b[0] - 2 * t3[0]) < 1e-12);
  assert.deepEqual(Array.from(nsubjettiness(fm3, [], {})), [0, 0, 0]);
});

test("tau1..3 equal FastJet exclusive-kt axes with fjcontrib's normalised measure", { skip: requireReference(fastjetUnavailable()) }, () => {
  buildFastjetDriver();
  const events = randomEvents(120, 42);
  const fms = events.map((e) => fourMomenta(e.pt, e.eta, e.phi));
  const ref = fastjetCluster("antikt", 1.0, 20, 3, fms, events.map((e) => e.pt.length));
  let compared = 0;
  events.forEach((ev, i) => {
    const jets = clusterJets(ev.pt, ev.eta, ev.phi, { algorithm: "antikt", R: 1.0 }, 20);
    ref[i].jets.forEach((r, k) => {
      const tau = nsubjettiness(fms[i], jets[k].constituents, { R0: 1.0 });
      for (let n = 0; n < 3; n++) {
        // Same axes and partition; only the last bits of log/atan2 (V8 vs glibc) may differ.
        const tol = 1e-10 * Math.max(1e-3, r.tau[n]);
        assert.ok(Math.abs(tau[n] - r.tau[n]) <= tol, `event ${i} jet ${k} tau${n + 1}: ${tau[n]} vs FastJet ${r.tau[n]}`);
        compared++;
      }
    });
  });
  assert.ok(compared >= 600);
});
