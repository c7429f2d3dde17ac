import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readAllRecords } from "../../../lib/dataset";
import { REPO_ROOT } from "../../support/shared";

function hepllm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, HEPLLM_QUIET: "1" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEADER = "mjj,nj,pt_1,eta_1,phi_1,mass_1,e_1,tau1_1,tau2_1,tau3_1,pt_2,eta_2,phi_2,mass_2,e_2,tau1_2,tau2_2,tau3_2,label";
const ROWS = [
  "3000,2,1500,0,0.5,100,1600,0.5,0.25,0.1,1400,0,-2.5,50,1450,0.25,0.125,0.03125,1",
  "2500,2,1100,0,1,80,1200,0.4,0.2,0.1,600,0,-1,30,700,0.2,0.1,0.05,0",
  "2600,2,1300,0,1,80,1400,0.4,0.2,0.1,600,0,-1,30,700,0.2,0.1,0.05,0",
];

test("hepllm import-features writes validated records, with the cut and the limit", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-import-cli-"));
  const csv = path.join(dir, "t.csv");
  fs.writeFileSync(csv, [HEADER, ...ROWS].join("\n") + "\n");
  const out = path.join(dir, "sub", "r.jsonl");
  const r = hepllm(["import-features", "--in", csv, "--out", out, "--min-lead-pt", "1200"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^import-features: 2 events \(1 signal\) -> .*r\.jsonl in \d+\.\d s\n$/);
  const recs = readAllRecords(out); // validates every line against the schema
  assert.deepEqual(recs.map((x) => x.id), [0, 2]);
  assert.deepEqual(recs.map((x) => x.type), ["signal", "background"]);
  // Key order as prepare writes it, absent fields absent.
  const first = fs.readFileSync(out, "utf8").split("\n")[0];
  assert.match(first, /^\{"id":0,"type":"signal","n_jets":2,"M_jj":3000,"jets":\[\{"P_T":1500,"eta":0,"phi":0\.5,"E":1600,"m":100,"tau1":0\.5,/);
  assert.doesNotMatch(first, /n_particles|P_T_lead/);

  const lim = hepllm(["import-features", "--in", csv, "--out", out, "--limit", "1"]);
  assert.equal(lim.status, 0, lim.stderr);
  assert.deepEqual(readAllRecords(out).map((x) => x.id), [0]);

  // A bad row: error names file:line and column; the previous output is untouched (atomic).
  fs.writeFileSync(csv, [HEADER, ROWS[0], ROWS[1].replace("1100,", "x,")].join("\n"));
  const bad = hepllm(["import-features", "--in", csv, "--out", out]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, new RegExp(`${csv.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:3: column pt_1 is not a finite number \\(got "x"\\)`));
  assert.deepEqual(readAllRecords(out).map((x) => x.id), [0]);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["r.jsonl"], "no temporary file left");

  assert.equal(hepllm(["import-features", "--in", csv]).status, 2);
  assert.equal(hepllm(["import-features", "--in", csv, "--out", out, "--min-lead-pt", "-5"]).status, 2);
  assert.equal(hepllm(["import-features", "--in", csv, "--out", out, "--limit", "1.5"]).status, 2);
  fs.rmSync(dir, { recursive: true });
});
