/**
 * Native tiled clustering (native/cluster.cc via native-tiled.ts): the same sequence as the JS
 * port (tiled.ts) step for step (beam jets in the same order, same four-momenta bits, same
 * constituent order, same history), the argument checks, and the fallback to the portable path
 * when the addon is off. Agreement with FastJet itself: cluster.test.ts (both paths).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { fourMomenta } from "../../lib/jets";
import { nativeClusterer, nativeClusterUnavailable } from "../../lib/jets/native-tiled";
import { ClusterSequence } from "../../lib/jets/sequence";
import { TiledGenKtClusterer } from "../../lib/jets/tiled";
import { randomEvents } from "../../bench/fastjet/random-events";
import { REPO_ROOT, requireReference } from "../support/shared";

const noNative = requireReference(nativeClusterer() ? false : `native clustering unavailable (${nativeClusterUnavailable()}; npm run build:native)`);

/** Everything a clustering leaves: beam jets in order, with four-momenta, kt^2 and constituents. */
function outcome(c: ClusterSequence): string[] {
  return Array.from(c.beamJets.subarray(0, c.nBeam), (k) =>
    `${k} ${c.px[k]} ${c.py[k]} ${c.pz[k]} ${c.E[k]} ${c.kt2[k]}: ${c.constituentsOf(k, []).join(" ")}`);
}

test("native and JS tiled clustering give the same beam jets in the same order, bit for bit (kt, C/A, anti-kt; several R; tile re-packing)", { skip: noNative }, () => {
  for (const slack of [4, 0]) {
    const js = new TiledGenKtClusterer(slack), native = nativeClusterer(slack)!;
    for (const ev of [...randomEvents(40, 51), ...randomEvents(10, 52, { meanParticles: 600 })]) {
      const fm = fourMomenta(ev.pt, ev.eta, ev.phi);
      for (const [p, R] of [[-1, 1.0], [-1, 0.4], [-1, 0.05], [1, 0.7], [0, 1.2], [-1, 3.5], [1, 1000]]) {
        js.init(fm, ev.pt.length, p, R); js.runUntil(0);
        native.init(fm, ev.pt.length, p, R); native.runUntil(0);
        assert.equal(native.nBeam, js.nBeam, `slack ${slack}, event ${ev.id}, p ${p}, R ${R}: beam jets`);
        assert.equal(native.nJets, js.nJets, `slack ${slack}, event ${ev.id}, p ${p}, R ${R}: jets made`);
        assert.deepEqual(outcome(native), outcome(js), `slack ${slack}, event ${ev.id}, p ${p}, R ${R}`);
      }
    }
  }
});

test("native clustering of a subset through an index map, of 0 and 1 particles, and particles at the rapidity edges", { skip: noNative }, () => {
  const js = new TiledGenKtClusterer(), native = nativeClusterer()!;
  const ev = randomEvents(1, 61)[0];
  // Particles far forward (|y| > 7 falls in the edge tiles) and a duplicate of particle 0.
  const pt = Float64Array.from([...ev.pt, 5, 7, ev.pt[0]]), eta = Float64Array.from([...ev.eta, 9.5, -8, ev.eta[0]]), phi = Float64Array.from([...ev.phi, 1, 2, ev.phi[0]]);
  const fm = fourMomenta(pt, eta, phi);
  const idx = Int32Array.from(pt.keys()).filter((i) => i % 3 !== 1 || i >= ev.pt.length); // the extras all kept
  for (const count of [0, 1, idx.length]) {
    js.init(fm, count, -1, 0.8, idx); js.runUntil(0);
    native.init(fm, count, -1, 0.8, idx); native.runUntil(0);
    assert.deepEqual(outcome(native), outcome(js), `count ${count}`);
  }
  assert.equal(native.nBeam, js.nBeam);
});

test("native clustering runs to completion only: exclusive jets (runUntil(n > 0), liveJet) are refused with the JS clusterers named", { skip: noNative }, () => {
  const native = nativeClusterer()!;
  const ev = randomEvents(1, 62)[0];
  native.init(fourMomenta(ev.pt, ev.eta, ev.phi), ev.pt.length, 1, 1.0);
  assert.throws(() => native.runUntil(2), /only inclusive clustering.*GenKtClusterer/);
  assert.equal(native.step(), true); // the whole event
  assert.equal(native.nLive, 0);
  assert.equal(native.step(), false);
  assert.throws(() => native.liveJet(0), RangeError);
});

test("the addon's clusterGenKt rejects arrays of the wrong type or size with a RangeError naming them", { skip: noNative }, () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const addon = require(path.join(REPO_ROOT, "native", "build", "hepllm_native.node")) as { clusterGenKt(...a: unknown[]): number };
  const f64 = new Float64Array(640), i32 = new Int32Array(512);
  assert.throws(() => addon.clusterGenKt(new Float32Array(640), i32, 64, 0, -1, 1, 4), /f64 must be a Float64Array/);
  assert.throws(() => addon.clusterGenKt(f64, new Float64Array(512), 64, 0, -1, 1, 4), /i32 must be an Int32Array/);
  assert.throws(() => addon.clusterGenKt(f64, i32, 65, 0, -1, 1, 4), /10\*cap/);
  assert.throws(() => addon.clusterGenKt(f64, i32, 64, 65, -1, 1, 4), /count <= cap/);
  assert.throws(() => addon.clusterGenKt(f64, i32, 64, 1, -1, 0, 4), /R > 0/);
  assert.throws(() => addon.clusterGenKt(f64, i32, 64, 1, -1, NaN, 4), /finite/);
  assert.equal(addon.clusterGenKt(f64, i32, 64, 0, -1, 1, 4), 0);
});

test("HEPLLM_NATIVE=0: clusterJets takes the portable JS path, gives the same jets, and says so once in one stderr line", () => {
  const script = `
    const { clusterJets } = require("./lib/jets");
    const { randomEvents } = require("./bench/fastjet/random-events");
    const out = randomEvents(5, 71).map((e) => clusterJets(e.pt, e.eta, e.phi, { algorithm: "antikt", R: 1 }, 10).map((j) => [j.px, j.E, j.constituents]));
    console.log(JSON.stringify(out));`;
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, env: { ...process.env, HEPLLM_QUIET_BACKEND: "", ...env }, encoding: "utf8" });
  const off = run({ HEPLLM_NATIVE: "0" });
  assert.equal(off.status, 0, off.stderr);
  const lines = off.stderr.split("\n").filter((l) => /jet clustering on the portable JS path/.test(l));
  assert.equal(lines.length, 1, off.stderr);
  assert.match(lines[0], /HEPLLM_NATIVE=0.*npm run build:native/);
  if (noNative) return;
  const on = run({});
  assert.equal(on.status, 0, on.stderr);
  assert.doesNotMatch(on.stderr, /portable JS path/);
  assert.equal(on.stdout, off.stdout);
});
