/**
 * Conformance of `prepare` end to end on the real LHCO R&D tiny file (Blosc-compressed, read by
 * the workers): every record against FastJet 3.4's features for the same events.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { prepare, readAllRecords } from "../../lib/dataset";
import { sharedFile, skipUnlessShared } from "../support/shared";

const H5 = "fixtures/lhco/events_anomalydetection_tiny.h5";
const CSV = "fixtures/lhco/fastjet_reference_features.csv";

test("prepare on the real tiny R&D file matches FastJet", { skip: skipUnlessShared(H5) || skipUnlessShared(CSV) }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-prepare-lhco-"));
  const out = path.join(dir, "tiny.jsonl");
  const r = await prepare({ input: sharedFile(H5)!, output: out, jobs: 2, progress: false });
  assert.equal(r.events, 1000);
  const recs = readAllRecords(out);
  const [header, ...rows] = fs.readFileSync(sharedFile(CSV)!, "utf8").trim().split("\n");
  const cols = header.split(",");
  assert.equal(rows.length, recs.length);
  const close = (got: number | undefined, want: number, what: string): void => {
    assert.ok(got !== undefined && Math.abs(got - want) <= 2e-6 + 1e-7 * Math.abs(want), `${what}: ${got} vs FastJet ${want}`);
  };
  let signal = 0;
  rows.forEach((line, i) => {
    const v = Object.fromEntries(line.split(",").map((x, k) => [cols[k], Number(x)]));
    const rec = recs[i];
    const at = `event ${i}`;
    assert.equal(rec.id, v.id, at);
    assert.equal(rec.type, v.label === 1 ? "signal" : "background", at);
    signal += v.label;
    assert.equal(rec.n_particles, v.nparticles, `${at} n_particles`);
    assert.equal(rec.n_jets, v.njets, `${at} n_jets`);
    for (const j of [1, 2]) {
      const jet = rec.jets[j - 1];
      if (v.njets < j) {
        assert.equal(jet, undefined, `${at}: jet ${j}`);
        continue;
      }
      close(jet.P_T, v[`ptj${j}`], `${at} jet${j} P_T`);
      close(jet.eta, v[`etaj${j}`], `${at} jet${j} eta`);
      const dphi = Math.abs(((jet.phi - v[`phij${j}`] + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
      assert.ok(dphi <= 2e-6, `${at} jet${j} phi: ${jet.phi} vs FastJet ${v[`phij${j}`]}`);
      close(jet.m, v[`mj${j}`], `${at} jet${j} m`);
      for (const t of [1, 2, 3] as const) close(jet[`tau${t}`], v[`tau${t}j${j}`], `${at} jet${j} tau${t}`);
    }
    if (v.njets >= 2) close(rec.M_jj, v.mjj, `${at} M_jj`);
    else assert.equal(rec.M_jj, undefined, `${at} M_jj`);
  });
  assert.equal(signal, 93);
  fs.rmSync(dir, { recursive: true });
});
