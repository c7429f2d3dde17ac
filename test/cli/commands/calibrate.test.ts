import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../../lib/cli/main";

/** Runs main() capturing console.log / console.error. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    return { code: await main(argv), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** A four-row feature table: two background and one signal row pass 1200 GeV, one row does not. */
const TABLE = [
  "mjj,nj,pt_1,eta_1,phi_1,mass_1,e_1,tau1_1,tau2_1,tau3_1,pt_2,eta_2,phi_2,mass_2,e_2,tau1_2,tau2_2,tau3_2,label",
  "2600,2,1250,0.1,0.0,80,1260,0.2,0.1,0.08,1300,-0.2,3.1,150,1330,0.3,0.2,0.15,0",
  "3000,2,1400,0.0,1.0,120,1410,0.2,0.12,0.09,1350,0.3,-2.1,60,1420,0.3,0.2,0.15,0",
  "3500,2,1700,0.2,2.0,500,1800,0.3,0.06,0.04,1650,-0.1,-1.1,100,1660,0.3,0.05,0.04,1",
  "2300,2,1150,0.1,0.5,50,1160,0.2,0.1,0.08,1100,0.1,-2.6,40,1110,0.3,0.2,0.15,0",
].join("\n");

test("calibrate --real-features: per-class KS table against a fresh simulation, Markdown and JSON", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-cli-cal-"));
  process.env.HEPLLM_QUIET = "1";
  try {
    const file = path.join(dir, "t.csv");
    fs.writeFileSync(file, TABLE);
    const j = await run(["calibrate", "--real-features", file, "--events", "20", "--seed", "3", "--json"]);
    assert.equal(j.code, 0, j.err);
    const t = JSON.parse(j.out);
    assert.equal(t.minLeadPt, 1200);
    assert.equal(t.target, 0.15);
    assert.deepEqual(t.counts.real, { background: 2, signal: 1 });
    assert.deepEqual(t.counts.sim, { background: 10, signal: 10 });
    assert.deepEqual(t.rows.map((r: { observable: string }) => r.observable), ["m_jj", "m_j1", "m_j2", "tau21_j1", "tau21_j2", "tau32_j1", "tau32_j2"]);
    assert.equal(t.rows[0].signal.nReal, 1);
    assert.equal(typeof t.pass, "boolean");
    const m = await run(["calibrate", "--real-features", file, "--events", "20", "--min-lead-pt", "1000"]);
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /\| m_j2 \| [0-9.]+ (PASS|FAIL) \(3\/10\) \| [0-9.]+ (PASS|FAIL) \(1\/10\) \|/);
    assert.match(m.out, /Leading-jet P_T >= 1000 GeV/);
  } finally {
    delete process.env.HEPLLM_QUIET;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("calibrate: mixed or misplaced flags are usage errors (exit 2)", async () => {
  const cases: [string[], RegExp][] = [
    [["calibrate", "--real-features", "x.csv", "--real", "a.h5"], /cannot be combined/],
    [["calibrate", "--real", "a.h5", "--sim", "b.h5", "--events", "10"], /--events needs --real-features/],
    [["calibrate", "--real-features", "x.csv", "--events", "1"], /--events must be at least 2/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.match(r.err, re);
  }
});
