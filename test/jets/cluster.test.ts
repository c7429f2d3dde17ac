/**
 * Clustering: hand-derived small cases, and exact agreement (full double precision, same
 * constituents in the same order) with FastJet 3.4 via the compiled driver on seeded random
 * LHCO-like events and the LHCO tiny file, for anti-kt, kt and Cambridge/Aachen at several R.
 * The FastJet comparisons run on both tiled paths: native (native/cluster.cc; a missing addon
 * skips, or fails under CI) and portable JS (tiled.ts).
 */
import { test } from "node:test";
import { requireReference, skipUnlessShared, sharedFile } from "../support/shared";
import * as assert from "node:assert/strict";
import { clusterJets, fourMomenta, Jet, JetDefinition } from "../../lib/jets";
import { useNativeClustering } from "../../lib/jets/cluster";
import { GenKtClusterer } from "../../lib/jets/genkt";
import { nativeClusterer, nativeClusterUnavailable } from "../../lib/jets/native-tiled";
import { ClusterSequence } from "../../lib/jets/sequence";
import { TiledGenKtClusterer } from "../../lib/jets/tiled";
import { openLHCO } from "../../lib/events";
import { buildFastjetDriver, fastjetCluster, fastjetUnavailable } from "../../bench/fastjet/driver";
import { randomEvents } from "../../bench/fastjet/random-events";
import { DEFAULT_SIMULATION, simulateEvents } from "../../lib/simulation";

/** The tiled clustering paths clusterJets can take; the native one skips (fails in CI) when not built. */
const nativeMissing = requireReference(nativeClusterer() ? false : `native clustering unavailable (${nativeClusterUnavailable()}; npm run build:native)`);
const PATHS = [
  { name: "native", native: true, skip: nativeMissing },
  { name: "JS", native: false, skip: false as const },
];
/** Tiled clusterers to check against the plain N^2: JS (with the given tile slack) and native when built. */
function tiledClusterers(slack?: number): { name: string; c: ClusterSequence }[] {
  const native = nativeClusterer(slack);
  return [{ name: "JS", c: new TiledGenKtClusterer(slack) }, ...(native ? [{ name: "native", c: native }] : [])];
}
const key = (c: ClusterSequence) =>
  Array.from(c.beamJets.subarray(0, c.nBeam), (k) => `${c.px[k]},${c.E[k]}:${c.constituentsOf(k, []).join(" ")}`).sort();

const f64 = (a: number[]) => Float64Array.from(a);
function cluster(parts: number[][], def: JetDefinition, ptmin = 0): Jet[] {
  return clusterJets(f64(parts.map((p) => p[0])), f64(parts.map((p) => p[1])), f64(parts.map((p) => p[2])), def, ptmin);
}
const sets = (jets: Jet[]) => jets.map((j) => [...j.constituents].sort((a, b) => a - b));

test("two particles across phi = +-pi merge; the jet's phi is in (-pi, pi]", () => {
  // Delta phi = 2pi - 6.2 = 0.0832 < R = 0.4 although the raw difference is 6.2.
  const jets = cluster([[50, 0.1, 3.1], [40, 0.1, -3.1]], { algorithm: "antikt", R: 0.4 });
  assert.equal(jets.length, 1);
  assert.deepEqual(sets(jets), [[0, 1]]);
  // The E-scheme direction lies between the two, within 0.05 of +-pi.
  const j = jets[0];
  assert.ok(j.phi > -Math.PI && j.phi <= Math.PI);
  assert.ok(Math.abs(Math.abs(j.phi) - Math.PI) < 0.05, `phi ${j.phi} should be near +-pi`);
  // Control: a pair 0.5 apart without wrap-around stays apart at R = 0.4.
  assert.equal(cluster([[50, 0.1, 3.1], [40, 0.1, 2.6]], { algorithm: "antikt", R: 0.4 }).length, 2);
});

test("distances use rapidity, not pseudorapidity, for massive pseudojets", () => {
  // A and B (pT 100, eta 2, phi -+0.3) merge first into C with rapidity atanh(tanh 2) = 2 but
  // pseudorapidity asinh(sinh 2 / cos 0.3) = 2.046. D at eta 3.02 is 1.02 > R from C in rapidity
  // (stays apart) but 0.974 < R in pseudorapidity (would merge).
  const parts = [[100, 2, -0.3], [100, 2, 0.3], [10, 3.02, 0]];
  const jets = cluster(parts, { algorithm: "antikt", R: 1.0 });
  assert.deepEqual(sets(jets), [[0, 1], [2]]);
  const c = jets[0];
  assert.ok(Math.abs(c.rap - 2) < 1e-12, `rap ${c.rap}`);
  assert.ok(Math.abs(c.eta - Math.asinh(Math.sinh(2) / Math.cos(0.3))) < 1e-12, `eta ${c.eta}`);
  // Two massless pT-100 particles, same eta, 0.6 apart in phi: m^2 = 2 pT^2 (1 - cos 0.6) -> m = 200 sin 0.3.
  assert.ok(Math.abs(c.m - 200 * Math.sin(0.3)) < 1e-6, `m ${c.m}`);
  // Massless input: rapidity equals pseudorapidity.
  const d = jets[1];
  assert.ok(Math.abs(d.rap - 3.02) < 1e-12 && Math.abs(d.eta - 3.02) < 1e-12);
});

test("two particles exactly R apart do not merge; a hair closer they do", () => {
  // phi 0 and pi/2 at eta 0: px, py, pz, E are exact enough that DeltaR^2 = (pi/2)^2 = R^2 bit for bit.
  assert.equal(Math.atan2(Math.sin(Math.PI / 2), Math.cos(Math.PI / 2)), Math.PI / 2);
  assert.equal(Math.sin(Math.PI / 2) ** 2 + Math.cos(Math.PI / 2) ** 2, 1);
  const parts = [[1, 0, 0], [1, 0, Math.PI / 2]];
  for (const algorithm of ["antikt", "kt", "cambridge"] as const) {
    assert.equal(cluster(parts, { algorithm, R: Math.PI / 2 }).length, 2, `${algorithm} at DeltaR = R`);
    const up = Math.PI / 2 + 2 ** -52; // next double above pi/2
    assert.equal(cluster(parts, { algorithm, R: up }).length, 1, `${algorithm} at DeltaR < R`);
  }
});

test("anti-kt, Cambridge/Aachen and kt merge in their own orders", () => {
  // Hard A at eta 0, soft B (pT 1) at 0.75, C (pT 1) at 1.4, phi 0, R = 1.
  // anti-kt: d_AB = 0.75^2/100^2 is the smallest -> AB; AB-C is 1.39 > R apart -> {A,B},{C}.
  // C/A: Delta R_BC = 0.65 < Delta R_AB = 0.75 -> BC (rapidity 1.075); A-BC 1.075 > R -> {A},{B,C}.
  const p1 = [[100, 0, 0], [1, 0.75, 0], [1, 1.4, 0]];
  assert.deepEqual(sets(cluster(p1, { algorithm: "antikt", R: 1 })), [[0, 1], [2]]);
  assert.deepEqual(sets(cluster(p1, { algorithm: "cambridge", R: 1 })), [[0], [1, 2]]);
  // kt weights by the softer pT: A (100), B (pT 2, eta 0.5), C (pT 1, eta 1.1).
  // d_AB = min(100^2, 2^2) 0.25 = 1 > d_BC = min(4, 1) 0.36 -> BC first (C/A would take AB first,
  // Delta R 0.5 < 0.6); then BC (pT 3, rapidity ~0.7) is within R of A and d = 9 * 0.49 < d_B = 9 -> one jet.
  const p2 = [[100, 0, 0], [2, 0.5, 0], [1, 1.1, 0]];
  assert.deepEqual(sets(cluster(p2, { algorithm: "kt", R: 1 })), [[0, 1, 2]]);
  assert.deepEqual(sets(cluster(p2, { algorithm: "cambridge", R: 1 })), [[0, 1], [2]]);
  assert.deepEqual(sets(cluster(p2, { algorithm: "antikt", R: 1 })), [[0, 1], [2]]);
});

test("inclusive jets: pT threshold, decreasing pT, zero-pT padding ignored, E-scheme sums", () => {
  const pt = f64([30, 0, 5, 200, 1]), eta = f64([-2, 0, 2, 0.5, 0.6]), phi = f64([1, 0, -1, 0, 0.1]);
  const jets = clusterJets(pt, eta, phi, { algorithm: "antikt", R: 0.4 }, 10);
  assert.deepEqual(sets(jets), [[3, 4], [0]]); // pT 5 jet below threshold; slot 1 (pT 0) ignored
  const fm = fourMomenta(pt, eta, phi);
  assert.equal(jets[0].px, fm.px[3] + fm.px[4]);
  assert.equal(jets[0].E, fm.E[3] + fm.E[4]);
  assert.ok(jets[0].pt > jets[1].pt);
  assert.throws(() => clusterJets(f64([1]), f64([NaN]), f64([0]), { algorithm: "antikt", R: 1 }, 0), /particle 0/);
});

test("tiled (JS and native) and plain N^2 clustering make identical jets", () => {
  const plain = new GenKtClusterer();
  for (const ev of randomEvents(60, 7)) {
    const fm = fourMomenta(ev.pt, ev.eta, ev.phi);
    for (const [p, R] of [[-1, 1.0], [-1, 0.4], [1, 0.7], [0, 1.2]]) {
      plain.init(fm, ev.pt.length, p, R); plain.runUntil(0);
      for (const { name, c } of tiledClusterers()) {
        c.init(fm, ev.pt.length, p, R); c.runUntil(0);
        assert.deepEqual(key(c), key(plain), `${name}: event ${ev.id}, p ${p}, R ${R}`);
      }
    }
  }
});

test("tiled clustering (JS and native) without tile slack (every merged jet may re-pack the tiles) makes the plain N^2's jets", () => {
  const plain = new GenKtClusterer();
  const tiled = tiledClusterers(0);
  for (const ev of randomEvents(40, 11)) {
    const fm = fourMomenta(ev.pt, ev.eta, ev.phi);
    for (const [p, R] of [[-1, 1.0], [1, 0.7], [0, 0.5]]) {
      plain.init(fm, ev.pt.length, p, R); plain.runUntil(0);
      for (const { name, c } of tiled) {
        c.init(fm, ev.pt.length, p, R); c.runUntil(0);
        assert.deepEqual(key(c), key(plain), `${name}: event ${ev.id}, p ${p}, R ${R}`);
      }
    }
  }
});

/**
 * Random events turned in azimuth so that the hardest particle sits just above phi = 0: its dense
 * core straddles the 0/2pi seam, where the tiles' azimuth neighbours wrap around.
 */
function seamEvents(n: number, seed: number) {
  return randomEvents(n, seed).map((ev) => {
    let lead = 0;
    for (let i = 1; i < ev.pt.length; i++) if (ev.pt[i] > ev.pt[lead]) lead = i;
    const turn = 0.02 - ev.phi[lead];
    const phi = ev.phi.map((f) => Math.atan2(Math.sin(f + turn), Math.cos(f + turn)));
    return { ...ev, phi };
  });
}

test("tiled (JS and native) and plain N^2 agree on dense jets straddling phi = 0", () => {
  const plain = new GenKtClusterer();
  const tiled = tiledClusterers();
  for (const ev of seamEvents(60, 21)) {
    const fm = fourMomenta(ev.pt, ev.eta, ev.phi);
    for (const [p, R] of [[-1, 1.0], [-1, 1.25], [-1, 1.8], [1, 0.6], [0, 0.9]]) {
      plain.init(fm, ev.pt.length, p, R); plain.runUntil(0);
      for (const { name, c } of tiled) {
        c.init(fm, ev.pt.length, p, R); c.runUntil(0);
        assert.deepEqual(key(c), key(plain), `${name}: event ${ev.id}, p ${p}, R ${R}`);
      }
    }
  }
});

const noFastjet = requireReference(fastjetUnavailable());
const TINY = "fixtures/lhco/events_anomalydetection_tiny.h5";

/** clusterJets on `path` equals FastJet's inclusive jets bit for bit: four-momenta, constituents in order. */
function assertFastjetJets(path: (typeof PATHS)[number], events: { pt: Float64Array; eta: Float64Array; phi: Float64Array }[], algorithm: "antikt" | "kt" | "cambridge", R: number, ptmin: number, what: string): void {
  buildFastjetDriver();
  // FastJet gets the pT > 0 particles (the files' zero padding dropped), numbered by input index.
  const kept = events.map((e) => Array.from(e.pt.keys()).filter((i) => e.pt[i] > 0));
  const fms = events.map((e, i) => fourMomenta(kept[i].map((k) => e.pt[k]), kept[i].map((k) => e.eta[k]), kept[i].map((k) => e.phi[k])));
  const ref = fastjetCluster(algorithm, R, ptmin, 1000, fms, kept.map((k) => k.length));
  assert.equal(useNativeClustering(path.native), path.native);
  events.forEach((ev, i) => {
    const jets = clusterJets(ev.pt, ev.eta, ev.phi, { algorithm, R }, ptmin);
    assert.equal(jets.length, ref[i].nJets, `${path.name}: ${what} ${i}: number of jets`);
    ref[i].jets.forEach((r, k) => {
      const j = jets[k];
      assert.deepEqual([j.px, j.py, j.pz, j.E], [r.px, r.py, r.pz, r.E], `${path.name}: ${what} ${i} jet ${k}: four-momentum`);
      assert.deepEqual(j.constituents, r.constituents.map((c) => kept[i][c]), `${path.name}: ${what} ${i} jet ${k}: constituents`);
    });
  });
  useNativeClustering(true);
}

for (const path of PATHS) {
  const skip = noFastjet || path.skip;
  for (const [algorithm, R, seed] of [["antikt", 1.0, 1], ["antikt", 0.4, 2], ["kt", 1.0, 3], ["cambridge", 0.8, 4], ["antikt", 1.5, 5]] as const) {
    test(`${path.name}: ${algorithm} R=${R} equals FastJet 3.4 bit for bit on 150 random LHCO-like events`, { skip }, () => {
      assertFastjetJets(path, randomEvents(150, 100 + seed), algorithm, R, 5, "event");
    });
  }

  for (const R of [1.0, 1.25]) {
    test(`${path.name}: anti-kt R=${R} equals FastJet 3.4 bit for bit on dense jets straddling phi = 0 (tiled path)`, { skip }, () => {
      assertFastjetJets(path, seamEvents(100, 31), "antikt", R, 5, "event");
    });
  }

  test(`${path.name}: anti-kt R=1.0 equals FastJet 3.4 bit for bit on events from hepllm's simulator (signal and background)`, { skip }, () => {
    const events = [...simulateEvents({ ...DEFAULT_SIMULATION, nEvents: 60, signalFraction: 0.5, seed: 17 })];
    assert.ok(events.some((e) => e.label === 1) && events.some((e) => e.label === 0));
    assertFastjetJets(path, events, "antikt", 1.0, 20, "simulated event");
  });

  test(`${path.name}: anti-kt R=1.0 equals FastJet 3.4 bit for bit on all 1000 real events of the LHCO tiny file`, { skip: skip || skipUnlessShared(TINY) }, async () => {
    const file = await openLHCO(sharedFile(TINY)!);
    const events = file.read(0, file.info.nEvents);
    file.close();
    assertFastjetJets(path, events, "antikt", 1.0, 0, "tiny-file event");
  });
}
