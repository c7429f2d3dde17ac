/**
 * The event record: against FastJet 3.4's reference CSV on all 1000 events of the LHCO tiny file
 * (jets, masses, M_jj, tau1..3 to the CSV's 6 decimals), and hand-derived records.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { eventRecord, DEFAULT_FEATURES } from "../../lib/jets";
import { openLHCO } from "../../lib/events";
import type { Event } from "../../lib/events/event";
import { sharedFile, skipUnlessShared } from "../support/shared";

const TINY = "fixtures/lhco/events_anomalydetection_tiny.h5";
const CSV = "fixtures/lhco/fastjet_reference_features.csv";

test("records equal FastJet's reference features on all 1000 events of the tiny file", { skip: skipUnlessShared(TINY) || skipUnlessShared(CSV) }, async () => {
  const file = await openLHCO(sharedFile(TINY)!);
  const events = file.read(0, file.info.nEvents);
  file.close();
  const lines = fs.readFileSync(sharedFile(CSV)!, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  assert.equal(lines.length - 1, events.length);
  // The CSV has 6 decimals: a difference up to half a unit in the 6th place is rounding.
  const tol = 5.000001e-7;
  let compared = 0;
  events.forEach((ev, i) => {
    const rec = eventRecord(ev);
    const v = lines[i + 1].split(",").map(Number);
    const csv = (name: string) => v[header.indexOf(name)];
    assert.equal(rec.id, csv("id"));
    assert.equal(rec.type, csv("label") === 1 ? "signal" : "background");
    assert.equal(rec.n_particles, csv("nparticles"), `event ${i}: nparticles`);
    assert.equal(rec.n_jets, csv("njets"), `event ${i}: njets`);
    const mine: Record<string, number | undefined> = { mjj: rec.M_jj };
    rec.jets.forEach((j, k) => {
      const s = `j${k + 1}`;
      Object.assign(mine, { [`pt${s}`]: j.P_T, [`eta${s}`]: j.eta, [`phi${s}`]: j.phi, [`m${s}`]: j.m, [`tau1${s}`]: j.tau1, [`tau2${s}`]: j.tau2, [`tau3${s}`]: j.tau3 });
    });
    for (let c = 4; c < v.length; c++) {
      const got = mine[header[c]];
      assert.ok(got !== undefined && Math.abs(got - v[c]) <= tol, `event ${i}: ${header[c]} = ${got}, FastJet ${v[c]}`);
      compared++;
    }
  });
  assert.ok(compared > 14000, `only ${compared} values compared`);
});

function event(parts: number[][], label: 0 | 1 | null = 1): Event {
  return { id: 17, label, pt: Float64Array.from(parts, (p) => p[0]), eta: Float64Array.from(parts, (p) => p[1]), phi: Float64Array.from(parts, (p) => p[2]) };
}

test("M_jj is the invariant mass of the two leading jets' summed four-momenta", () => {
  // Two single-particle (massless) jets: M^2 = 2 pT1 pT2 (cosh(d eta) - cos(d phi)); their masses sum to 0.
  const rec = eventRecord(event([[1000, 0.5, 0], [800, -0.3, Math.PI - 0.2], [30, 3, 1.5]]));
  const expected = Math.sqrt(2 * 1000 * 800 * (Math.cosh(0.8) - Math.cos(Math.PI - 0.2)));
  assert.ok(Math.abs(rec.M_jj! - expected) < 1e-9 * expected, `${rec.M_jj} vs ${expected}`);
  assert.equal(rec.jets[0].m + rec.jets[1].m, 0);
  assert.equal(rec.n_jets, 3);
  assert.equal(rec.jets.length, DEFAULT_FEATURES.maxJets);
});

test("record fields: type, counts, leading constituent, tau ratios, dR to the other kept jets", () => {
  const parts = [[600, 0, 0], [400, 0.3, 0.2], [700, -1, 3], [5, -3, -2], [25, 2.5, -1.5]];
  const rec = eventRecord(event(parts, 0), { maxJets: 3 });
  assert.equal(rec.type, "background");
  assert.equal(rec.n_particles, 5);
  assert.equal(rec.n_jets, 3); // the pT-5 particle joins nothing and is below 20 GeV
  const [j1, j2, j3] = rec.jets;
  assert.equal(j1.n_particles, 2);
  assert.equal(j1.P_T_lead, 600);
  assert.ok(j1.P_T > j2.P_T && j2.P_T > j3.P_T);
  assert.deepEqual(Object.keys(j1.dR), ["jet2", "jet3"]);
  assert.deepEqual(Object.keys(j2.dR), ["jet1", "jet3"]);
  assert.equal(j1.dR.jet2, j2.dR.jet1);
  assert.equal(j1.tau2, 0); // two constituents: tau_2 = tau_3 = 0
  assert.equal(j1.tau21, 0);
  assert.equal(j2.tau1, 0); // one constituent
  assert.equal(j2.tau21, 0);
  // Massless single-particle jets: dR is plain (eta, phi) distance, |d phi| = 3 here.
  assert.ok(Math.abs(j2.dR.jet3 - Math.hypot(2.5 - -1, 2 * Math.PI - 4.5)) < 1e-12);
  assert.equal(eventRecord(event([[100, 0, 0]], null)).type, "unknown");
  const one = eventRecord(event([[100, 0, 0]]));
  assert.equal(one.M_jj, undefined);
  assert.equal(one.jets.length, 1);
  assert.deepEqual(Object.keys(one), ["id", "type", "n_particles", "n_jets", "jets"]);
  assert.deepEqual(Object.keys(rec), ["id", "type", "n_particles", "n_jets", "M_jj", "jets"]);
});
