/**
 * The fusion feature vector: layout, names, scaling and presence flags, against vectors written
 * out by hand from the documented rules (ln(1 + x/s), n/100, eta/2.5, phi/pi; flags 0/1).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventRecord, JetRecord } from "../../../../lib/jets/record";
import { eventFeatures, featureMatrix, featureNames, featureSize } from "../../../../lib/llm/adapters/fusion/features";

/** A jet with round numbers: P_T = E = 1000 (ln 2), m = P_T_lead = 100 (ln 2). */
const fullJet: JetRecord = {
  P_T: 1000, eta: 1.25, phi: Math.PI / 2, E: 3000, m: 100, n_particles: 50, P_T_lead: 300,
  tau1: 0.4, tau2: 0.2, tau3: 0.1, tau21: 0.5, tau32: 0.5, dR: {},
};
const L2 = Math.log(2), L4 = Math.log(4);

/** Float32 agreement (the vector is Float32Array). */
function close(got: Float32Array, want: number[]): void {
  assert.equal(got.length, want.length);
  want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= 1e-6 * Math.max(1, Math.abs(w)), `position ${i}: ${got[i]} vs ${w}`));
}

test("size and names: 12 per jet, 4 per event, in the documented order", () => {
  assert.equal(featureSize(2), 28);
  assert.equal(featureSize(1), 16);
  assert.deepEqual(featureNames(1), [
    "jet1.P_T", "jet1.E", "jet1.P_T_lead", "jet1.P_T_lead_present", "jet1.m", "jet1.n_particles", "jet1.n_particles_present",
    "jet1.eta", "jet1.phi", "jet1.tau21", "jet1.tau32", "jet1.present",
    "event.n_particles", "event.n_particles_present", "event.M_jj", "event.M_jj_present",
  ]);
  assert.equal(featureNames(3).length, featureSize(3));
  assert.equal(featureNames(2)[12], "jet2.P_T");
});

test("a full record (as prepare writes it): every flag 1, values scaled by hand", () => {
  const rec: EventRecord = { id: 0, type: "signal", n_particles: 250, n_jets: 2, M_jj: 3000, jets: [fullJet] };
  close(eventFeatures(rec, 1), [
    L2, L4, L4, 1, L2, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 1, // jet 1: ln(1+1), ln(1+3), ln(1+3), 1, ln(1+1), 50/100, 1, 1.25/2.5, (pi/2)/pi, tau21, tau32, present
    2.5, 1, L4, 1, //                                   event: 250/100, 1, ln(1+3000/1000), 1
  ]);
});

test("a record from a jet-feature table: absent fields are 0 with flag 0; a missing jet is all 0", () => {
  const { n_particles: _n, P_T_lead: _l, ...tableJet } = fullJet;
  const rec: EventRecord = { id: 1, type: "background", n_jets: 2, M_jj: 1000, jets: [tableJet] };
  close(eventFeatures(rec, 2), [
    L2, L4, 0, 0, L2, 0, 0, 0.5, 0.5, 0.5, 0.5, 1, // jet 1 without P_T_lead and n_particles
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //           jet 2 missing
    0, 0, L2, 1, //                                 event n_particles absent; M_jj = 1000 -> ln 2
  ]);
  // A present zero is not absent: its flag is 1.
  const zero: EventRecord = { ...rec, n_particles: 0, M_jj: undefined, jets: [{ ...tableJet, n_particles: 0, P_T_lead: 0 }] };
  const f = eventFeatures(zero, 1);
  close(f.slice(2, 7), [0, 1, L2, 0, 1]);
  close(f.slice(12), [0, 1, 0, 0]);
  // null (hand-written JSON) counts as absent.
  const nulls = { ...rec, n_particles: null } as unknown as EventRecord;
  close(eventFeatures(nulls, 1).slice(12, 14), [0, 0]);
});

test("featureMatrix stacks the rows", () => {
  const a: EventRecord = { id: 0, type: "signal", n_particles: 100, n_jets: 1, jets: [fullJet] };
  const b: EventRecord = { id: 1, type: "signal", n_jets: 0, jets: [] };
  const m = featureMatrix([a, b], 1);
  assert.equal(m.length, 2 * 16);
  close(m.slice(0, 16), [...eventFeatures(a, 1)]);
  close(m.slice(16), new Array(16).fill(0));
});
