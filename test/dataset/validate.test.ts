import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventRecord, JetRecord } from "../../lib/jets/record";
import { RecordError, validateRecord } from "../../lib/dataset";
import schema from "../../lib/dataset/record.schema.json";
import { makeJet, makeRecord } from "./records";

const at = { file: "data/x.jsonl", line: 7 };

/** Runs validateRecord on a modified copy of a good record and returns the error message. */
function messageFor(edit: (r: Record<string, any>) => void): string {
  const r = JSON.parse(JSON.stringify(makeRecord(3, "signal")));
  edit(r);
  try {
    validateRecord(r, at);
  } catch (err) {
    assert.ok(err instanceof RecordError, `expected a RecordError, got ${err}`);
    return (err as Error).message;
  }
  assert.fail("the record was accepted");
}

test("a complete record is accepted and returned", () => {
  const r = makeRecord(1, "signal");
  assert.equal(validateRecord(r, at), r);
  const noMjj: EventRecord = { id: 0, type: "unknown", n_particles: 3, n_jets: 1, jets: [makeJet(0)] };
  assert.equal(validateRecord(noMjj, at), noMjj);
  const noJets: EventRecord = { id: 0, type: "background", n_particles: 0, n_jets: 0, jets: [] };
  assert.equal(validateRecord(noJets, at), noJets);
});

test("the schema lists exactly the fields of lib/jets/record.ts", () => {
  // Typed with every field present: adding a field to record.ts breaks compilation here.
  const jet: Required<JetRecord> = { ...makeJet(0), n_particles: 1, P_T_lead: 1 };
  const rec: Required<EventRecord> = { id: 0, type: "signal", n_particles: 1, n_jets: 2, M_jj: 1, jets: [jet] };
  const s = schema as any;
  assert.deepEqual(Object.keys(s.properties).sort(), Object.keys(rec).sort());
  // Optional in record.ts (`?`) <=> not required in the schema; listed by hand so a change to either fails here.
  assert.deepEqual([...s.required].sort(), ["id", "jets", "n_jets", "type"]);
  assert.deepEqual(Object.keys(s.definitions.jet.properties).sort(), Object.keys(jet).sort());
  const optionalJet = ["P_T_lead", "n_particles"];
  assert.deepEqual([...s.definitions.jet.required].sort(), Object.keys(jet).filter((k) => !optionalJet.includes(k)).sort());
  assert.deepEqual(s.properties.type.enum, ["signal", "background", "unknown"]);
});

test("missing fields are named with file, line and path", () => {
  assert.equal(messageFor((r) => delete r.n_jets), "data/x.jsonl:7: n_jets is missing");
  assert.equal(messageFor((r) => delete r.jets[1].tau2), "data/x.jsonl:7: jets[1].tau2 is missing");
  assert.equal(messageFor((r) => delete r.jets[0].dR), "data/x.jsonl:7: jets[0].dR is missing");
});

test("wrong types are rejected", () => {
  assert.match(messageFor((r) => (r.n_jets = "3")), /^data\/x\.jsonl:7: n_jets must be integer \(got "3"\)$/);
  assert.match(messageFor((r) => (r.n_particles = 2.5)), /n_particles must be integer/);
  assert.match(messageFor((r) => (r.jets[0].P_T = null)), /jets\[0\]\.P_T must be number \(got null\)/);
  assert.match(messageFor((r) => (r.jets = {})), /^data\/x\.jsonl:7: jets must be array/);
  assert.match(messageFor((r) => (r.jets[0].dR.jet2 = "3.1")), /jets\[0\]\.dR\.jet2 must be number/);
  assert.match(messageFor((r) => (r.M_jj = true)), /M_jj must be number/);
});

test("the type enum is enforced", () => {
  assert.equal(
    messageFor((r) => (r.type = "sig")),
    'data/x.jsonl:7: type must be one of "signal", "background", "unknown" (got "sig")',
  );
  assert.match(messageFor((r) => (r.type = 1)), /type must be string/);
});

test("NaN and infinities are rejected (in memory; JSON cannot hold them)", () => {
  assert.equal(messageFor((r) => (r.jets[0].P_T = NaN)), "data/x.jsonl:7: jets[0].P_T must be a finite number (got NaN)");
  assert.equal(messageFor((r) => (r.M_jj = Infinity)), "data/x.jsonl:7: M_jj must be a finite number (got Infinity)");
  assert.match(messageFor((r) => (r.jets[1].eta = -Infinity)), /jets\[1\]\.eta must be a finite number \(got -Infinity\)/);
  assert.match(messageFor((r) => (r.jets[0].dR.jet2 = NaN)), /jets\[0\]\.dR\.jet2 must be a finite number/);
  assert.equal(messageFor((r) => (r.id = NaN)), "data/x.jsonl:7: id must be a finite number (got NaN)");
});

test("negative momenta, energies, masses and counts are rejected", () => {
  assert.match(messageFor((r) => (r.jets[0].P_T = -1)), /jets\[0\]\.P_T must be >= 0 \(got -1\)/);
  assert.match(messageFor((r) => (r.jets[1].E = -0.5)), /jets\[1\]\.E must be >= 0/);
  assert.match(messageFor((r) => (r.jets[0].m = -1e-9)), /jets\[0\]\.m must be >= 0/);
  assert.match(messageFor((r) => (r.M_jj = -2)), /M_jj must be >= 0/);
  assert.match(messageFor((r) => (r.n_particles = -1)), /n_particles must be >= 0/);
  assert.match(messageFor((r) => (r.jets[0].n_particles = -3)), /jets\[0\]\.n_particles must be >= 0/);
  assert.match(messageFor((r) => (r.jets[0].tau21 = -0.1)), /jets\[0\]\.tau21 must be >= 0/);
  assert.match(messageFor((r) => (r.jets[0].phi = 4)), /jets\[0\]\.phi must be <= 3\.14159/);
});

test("dR keys must be jet<k> with k >= 1, and unknown fields are rejected", () => {
  assert.equal(messageFor((r) => (r.jets[0].dR = { j2: 1 })), "data/x.jsonl:7: jets[0].dR.j2 is not a valid key (expected jet<k>, k >= 1)");
  assert.match(messageFor((r) => (r.jets[0].dR = { jet0: 1 })), /jets\[0\]\.dR\.jet0 is not a valid key/);
  assert.equal(messageFor((r) => (r.label = 1)), "data/x.jsonl:7: label is not a record field");
  assert.equal(messageFor((r) => (r.jets[1].mass = 1)), "data/x.jsonl:7: jets[1].mass is not a record field");
});

test("non-objects are rejected", () => {
  for (const bad of [null, 3, "x", []]) {
    assert.throws(() => validateRecord(bad, at), /^RecordError: data\/x\.jsonl:7: record must be object/);
  }
});

test("fields a jet-feature table lacks may be absent, but are checked when present", () => {
  const r = JSON.parse(JSON.stringify(makeRecord(4, "background")));
  delete r.n_particles;
  for (const j of r.jets) {
    delete j.n_particles;
    delete j.P_T_lead;
  }
  assert.equal(validateRecord(r, at), r);
  // Absent means absent: null, a string or a negative value is still an error.
  assert.match(messageFor((x) => (x.n_particles = null)), /^data\/x\.jsonl:7: n_particles must be integer \(got null\)$/);
  assert.match(messageFor((x) => (x.jets[1].P_T_lead = -1)), /jets\[1\]\.P_T_lead must be >= 0/);
  assert.match(messageFor((x) => (x.jets[0].n_particles = 1.5)), /jets\[0\]\.n_particles must be integer/);
});
