/**
 * N-subjettiness: hand-derived values on tiny jets, and FastJet (exclusive-kt axes from
 * ClusterSequence::exclusive_jets, fjcontrib's normalised measure) on random LHCO-like jets, with
 * the axes from native code (native/kt-axes.cc; a missing addon skips, or fails under CI) and
 * from JS; the two give the same tau bit for bit.
 */
import { test } from "node:test";
import { requireReference } from "../support/shared";
import * as assert from "node:assert/strict";
import { clusterJets, fourMomenta, nsubjettiness } from "../../lib/jets";
import { nativeKtAxes } from "../../lib/jets/native-kt-axes";
import { useNativeNsubjettiness } from "../../lib/jets/nsubjettiness";
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

const noNative = requireReference(nativeKtAxes() ? false : "native kt axes unavailable (native/build/hepllm_native.node not built or older than native/kt-axes.cc; npm run build:native)");

for (const path of [{ name: "native axes", native: true, skip: noNative }, { name: "JS axes", native: false, skip: false as const }]) {
  test(`${path.name}: tau1..3 equal FastJet exclusive-kt axes with fjcontrib's normalised measure`, { skip: requireReference(fastjetUnavailable()) || path.skip }, () => {
    assert.equal(useNativeNsubjettiness(path.native), path.native);
    try {
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
    } finally {
      useNativeNsubjettiness(true);
    }
  });
}

test("native and JS axes give the same tau bit for bit (maxN 1..6, beta 1 and 2, small and 400-particle jets)", { skip: noNative }, () => {
  let compared = 0;
  for (const ev of [...randomEvents(60, 43), ...randomEvents(5, 44, { meanParticles: 400 })]) {
    const fm = fourMomenta(ev.pt, ev.eta, ev.phi);
    for (const jet of clusterJets(ev.pt, ev.eta, ev.phi, { algorithm: "antikt", R: 1.0 }, 1)) {
      for (const opts of [{ maxN: 3 }, { maxN: 1 }, { maxN: 6, beta: 2, R0: 0.8 }]) {
        useNativeNsubjettiness(true);
        const a = Array.from(nsubjettiness(fm, jet.constituents, opts));
        useNativeNsubjettiness(false);
        const b = Array.from(nsubjettiness(fm, jet.constituents, opts));
        assert.deepEqual(a, b, `event ${ev.id}, ${jet.constituents.length} constituents, ${JSON.stringify(opts)}`);
        compared++;
      }
    }
  }
  useNativeNsubjettiness(true);
  assert.ok(compared > 500, `${compared}`);
});

test("the addon's ktAxes rejects constituents outside the four-momenta and a too-short output, naming them", { skip: noNative }, () => {
  const axes = nativeKtAxes()!;
  const fm = fourMomenta(f64([10, 20, 30]), f64([0, 0.5, 1]), f64([0, 1, 2]));
  assert.throws(() => axes(fm, [0, 3], 3, new Float64Array(24)), /ktAxes: constituent 3 is outside the four-momenta/);
  assert.throws(() => axes(fm, [0, 1], 3, new Float64Array(23)), /out of >= 2\*maxN\*\(maxN\+1\)/);
  assert.throws(() => axes(fm, [0, 1], 17, new Float64Array(1000)), /maxN <= 16/);
  const out = new Float64Array(4);
  axes(fm, [2, 0], 1, out); // one axis: the E-scheme sum of particles 2 and 0
  assert.deepEqual(Array.from(out), [fm.px[2] + fm.px[0], fm.py[2] + fm.py[0], fm.pz[2] + fm.pz[0], fm.E[2] + fm.E[0]]);
});
