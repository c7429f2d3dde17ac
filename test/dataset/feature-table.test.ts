/**
 * readFeatureTable: a hand-made CSV whose records are derived by hand below, the error messages,
 * and the real LHCO R&D jet-feature table (76,000 events) against an independent numpy/pandas
 * computation of dR.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { spawnSync } from "node:child_process";
import type { EventRecord } from "../../lib/jets/record";
import { isRecord, readFeatureTable, RecordError } from "../../lib/dataset";
import { SYSTEM_PYTHON, sharedFile, skipUnlessPython, skipUnlessShared } from "../support/shared";

const HEADER =
  "mjj,nj,pt_1,eta_1,phi_1,mass_1,e_1,tau1_1,tau2_1,tau3_1,pt_2,eta_2,phi_2,mass_2,e_2,tau1_2,tau2_2,tau3_2,tau21_1,tau32_1,tau21_2,tau32_2,label";
const LN2 = Math.log(2); // eta with sinh(eta) = 0.75: pz = 0.75 pT

/**
 * Row 0: both jets at eta = 0 (pz = 0, so y = 0), phi 0.5 and -2.5: |dphi| = 3 < pi, dR = 3.
 *        taus 0.5, 0.25, 0.1 -> tau21 0.5, tau32 0.4 (and 0.25, 0.125, 0.03125 -> 0.5, 0.25). Signal.
 * Row 1: source order NOT by pT (400 before 600). The 400 GeV jet has eta = ln 2, so
 *        pz = 400 * 0.75 = 300, E = 700: y = ½ ln(1000/400) = ½ ln 2.5 (not eta: the jet is massive).
 *        The 600 GeV jet: eta 0, y 0. phi -1 and 1: dphi = 2, dR = sqrt(4 + (½ ln 2.5)²).
 *        tau1 = 0 -> tau21 = 0 (the table's tau21 column, 9, is ignored); tau32 = 0.1/0.2 = 0.5.
 * Row 2: leading jet 1100 GeV (below a 1200 cut); mass -2e-5 (rounding) -> 0; phi 4 -> 4 - 2pi;
 *        the two jets at phi 4 - 2pi and 0.5 (y 0 both): dR = |4 - 2pi - 0.5| = 2.7832 (< pi).
 */
const ROWS = [
  `3000.5,2,1500,0,0.5,100,1600,0.5,0.25,0.1,1400,0,-2.5,50,1450,0.25,0.125,0.03125,0.5,0.4,0.5,0.25,1`,
  `2500,3,400,${LN2},-1,489.9,700,0,0.2,0.1,600,0,1,800,1000,0.3,0.15,0.15,9,9,9,9,0`,
  `2000,2,1100,0,4,-0.00002,1100,0.1,0.05,0.05,900,0,0.5,10,905,0.1,0.1,0.1,0.5,1,1,1,0`,
];

function expected(): EventRecord[] {
  const y1 = 0.5 * Math.log(2.5);
  const phi2 = 4 - 2 * Math.PI; // -2.2832
  const dphi2 = Math.abs(phi2 - 0.5); // 2.7832 < pi
  return [
    {
      id: 0, type: "signal", n_jets: 2, M_jj: 3000.5,
      jets: [
        { P_T: 1500, eta: 0, phi: 0.5, E: 1600, m: 100, tau1: 0.5, tau2: 0.25, tau3: 0.1, tau21: 0.5, tau32: 0.4, dR: { jet2: 3 } },
        { P_T: 1400, eta: 0, phi: -2.5, E: 1450, m: 50, tau1: 0.25, tau2: 0.125, tau3: 0.03125, tau21: 0.5, tau32: 0.25, dR: { jet1: 3 } },
      ],
    },
    {
      id: 1, type: "background", n_jets: 3, M_jj: 2500,
      jets: [
        { P_T: 600, eta: 0, phi: 1, E: 1000, m: 800, tau1: 0.3, tau2: 0.15, tau3: 0.15, tau21: 0.5, tau32: 1, dR: { jet2: Math.sqrt(4 + y1 * y1) } },
        { P_T: 400, eta: LN2, phi: -1, E: 700, m: 489.9, tau1: 0, tau2: 0.2, tau3: 0.1, tau21: 0, tau32: 0.5, dR: { jet1: Math.sqrt(4 + y1 * y1) } },
      ],
    },
    {
      id: 2, type: "background", n_jets: 2, M_jj: 2000,
      jets: [
        { P_T: 1100, eta: 0, phi: phi2, E: 1100, m: 0, tau1: 0.1, tau2: 0.05, tau3: 0.05, tau21: 0.5, tau32: 1, dR: { jet2: dphi2 } },
        { P_T: 900, eta: 0, phi: 0.5, E: 905, m: 10, tau1: 0.1, tau2: 0.1, tau3: 0.1, tau21: 1, tau32: 1, dR: { jet1: dphi2 } },
      ],
    },
  ];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-feature-table-"));
let n = 0;
function writeTable(text: string, gz = false): string {
  const f = path.join(dir, `t${n++}.csv${gz ? ".gz" : ""}`);
  fs.writeFileSync(f, gz ? zlib.gzipSync(text) : text);
  return f;
}

/** Exact equality except dR (rounding of the rapidity formula), which must agree to 1e-12. */
function assertRecords(got: EventRecord[], want: EventRecord[]): void {
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i];
    const strip = (r: EventRecord) => ({ ...r, jets: r.jets.map((j) => ({ ...j, dR: Object.keys(j.dR) })) });
    assert.deepEqual(strip(g), strip(w), `record ${i}`);
    g.jets.forEach((j, k) => {
      for (const key of Object.keys(w.jets[k].dR)) {
        assert.ok(Math.abs(j.dR[key] - w.jets[k].dR[key]) < 1e-12, `record ${i} jet ${k} dR.${key}: ${j.dR[key]} vs ${w.jets[k].dR[key]}`);
      }
    });
    assert.ok(isRecord(g), `record ${i} matches the schema`);
    assert.ok(!("n_particles" in g), "event n_particles is absent, not 0");
    for (const j of g.jets) assert.ok(!("n_particles" in j) && !("P_T_lead" in j), "jet n_particles and P_T_lead are absent");
  });
}

test("a hand-made table gives the hand-derived records (sorted by pT, true-rapidity dR, recomputed taus)", () => {
  assertRecords(readFeatureTable(writeTable([HEADER, ...ROWS].join("\n") + "\n")), expected());
});

test("gzip, CRLF, blank lines, reordered and extra columns give the same records", () => {
  assertRecords(readFeatureTable(writeTable([HEADER, ...ROWS].join("\n"), true)), expected());
  assertRecords(readFeatureTable(writeTable([HEADER, "", ...ROWS, ""].join("\r\n"))), expected());
  // Columns reversed plus an unknown one: found by name.
  const cols = [...HEADER.split(","), "extra"];
  const order = cols.map((_, i) => cols.length - 1 - i);
  const rows = ROWS.map((r) => [...r.split(","), "xyz"]).map((c) => order.map((i) => c[i]).join(","));
  assertRecords(readFeatureTable(writeTable([order.map((i) => cols[i]).join(","), ...rows].join("\n"))), expected());
});

test("minLeadPt cuts on the leading jet (ids keep their row) and limit stops early", () => {
  const f = writeTable([HEADER, ...ROWS].join("\n"));
  assert.deepEqual(readFeatureTable(f, { minLeadPt: 1200 }).map((r) => r.id), [0]);
  // Row 1's leading jet is the 600 GeV one (the second column block): the cut sees the sorted order.
  assert.deepEqual(readFeatureTable(f, { minLeadPt: 401 }).map((r) => r.id), [0, 1, 2]);
  assert.deepEqual(readFeatureTable(f, { minLeadPt: 600 }).map((r) => r.id), [0, 1, 2]);
  assert.deepEqual(readFeatureTable(f, { minLeadPt: 601 }).map((r) => r.id), [0, 2]);
  assert.deepEqual(readFeatureTable(f, { minLeadPt: 1100 }).map((r) => r.id), [0, 2]);
  assert.deepEqual(readFeatureTable(f, { minLeadPt: 1100.01 }).map((r) => r.id), [0]);
  assert.deepEqual(readFeatureTable(f, { limit: 2 }).map((r) => r.id), [0, 1]);
  assert.deepEqual(readFeatureTable(f, { limit: 1, minLeadPt: 1000 }).map((r) => r.id), [0]);
});

test("a one-jet event has no M_jj and no dR; no label column means type unknown", () => {
  const one = `1234,1,1500,0,0.5,100,1600,0.5,0.25,0.1,0,0,0,0,0,0,0,0,0,0,0,0,1`;
  const [r] = readFeatureTable(writeTable([HEADER, one].join("\n")));
  assert.deepEqual(r, {
    id: 0, type: "signal", n_jets: 1,
    jets: [{ P_T: 1500, eta: 0, phi: 0.5, E: 1600, m: 100, tau1: 0.5, tau2: 0.25, tau3: 0.1, tau21: 0.5, tau32: 0.4, dR: {} }],
  });
  const noLabel = HEADER.replace(/,label$/, "");
  const recs = readFeatureTable(writeTable([noLabel, ...ROWS.map((r) => r.replace(/,[01]$/, ""))].join("\n")));
  assert.deepEqual(recs.map((x) => x.type), ["unknown", "unknown", "unknown"]);
});

test("bad tables are errors naming the file, the line and the column", () => {
  const err = (lines: string[], want: RegExp): void => {
    const f = writeTable(lines.join("\n"));
    assert.throws(() => readFeatureTable(f), (e: unknown) => {
      assert.ok(e instanceof RecordError, `a RecordError, got ${e}`);
      assert.ok((e as Error).message.startsWith(`${f}:`), (e as Error).message);
      assert.match((e as Error).message, want);
      return true;
    });
  };
  err([HEADER, ROWS[0], ROWS[1].replace("400,", "abc,")], /:3: column pt_1 is not a finite number \(got "abc"\)$/);
  err([HEADER, ROWS[0], "", ROWS[1].replace(",1000,", ",,")], /:4: column e_2 is not a finite number \(got ""\)$/);
  err([HEADER, ROWS[0], ROWS[1].replace(/,0$/, "")], /:3: record has 22 fields, the header has 23$/);
  err([HEADER, ROWS[0] + ",7"], /:2: record has 24 fields, the header has 23$/);
  err([HEADER.replace("e_2,", "energy_2,"), ...ROWS], /:1: column e_2 is missing from the header/);
  err([HEADER.replace("mjj,", "mass_jj,"), ...ROWS], /:1: column mjj is missing from the header/);
  err([HEADER.replace("label", "nj"), ...ROWS], /:1: column nj appears twice in the header/);
  err([HEADER, ROWS[0].replace(",100,", ",-1,")], /:2: column mass_1 must be >= 0 \(got -1; up to -0\.01 GeV is taken as rounding\)$/);
  err([HEADER, ROWS[0].replace(/,1$/, ",2")], /:2: column label must be 0 or 1 \(got 2\)$/);
  err([HEADER, ROWS[0].replace("3000.5,2,", "3000.5,1.5,")], /:2: column nj must be a whole number >= 0 \(got 1\.5\)$/);
  err([HEADER, ROWS[0].replace(",0.25,0.1,", ",-0.25,0.1,")], /:2: column tau2_1 must be >= 0/);
  err([HEADER, ROWS[0].replace(",0.5,100,", ",NaN,100,")], /:2: column phi_1 is not a finite number \(got "NaN"\)$/);
  const empty = writeTable("\n\n");
  assert.throws(() => readFeatureTable(empty), { message: `${empty}: the table is empty (expected a header line)` });
  assert.throws(() => readFeatureTable(path.join(dir, "nope.csv")), /nope\.csv: cannot open \(ENOENT\)/);
});

const RD = "fixtures/lhco/rd_jet_features.csv.gz";

test("the real R&D jet-feature table: 76,000 valid records, 5,059 signal, dR as numpy computes it", {
  skip: skipUnlessShared(RD) || skipUnlessPython("pandas", "python3-pandas"),
}, () => {
  const file = sharedFile(RD)!;
  const recs = readFeatureTable(file);
  assert.equal(recs.length, 76000);
  assert.equal(recs.filter((r) => r.type === "signal").length, 5059);
  assert.equal(recs.filter((r) => r.type === "background").length, 76000 - 5059);
  // The table was made with leading-jet pT >= 1200 GeV: the same cut keeps every event.
  assert.equal(readFeatureTable(file, { minLeadPt: 1200 }).length, 76000);
  recs.forEach((r, i) => {
    assert.equal(r.id, i);
    assert.ok(isRecord(r), `row ${i} matches the schema`);
    assert.equal(r.jets.length, 2);
    assert.ok(r.jets[0].P_T >= r.jets[1].P_T, `row ${i} jets sorted by pT`);
    assert.ok(!("n_particles" in r) && !("n_particles" in r.jets[0]) && !("P_T_lead" in r.jets[1]));
  });

  // Independent reference: pandas reads the CSV, numpy computes y = ½ ln((E+pz)/(E−pz)) and the
  // wrapped azimuth difference, for every 37th row; the jet order there is by pT too.
  const script = `
import json, sys, numpy as np, pandas as pd
d = pd.read_csv(sys.argv[1]).iloc[::37]
def rap(k):
    pz = d[f"pt_{k}"] * np.sinh(d[f"eta_{k}"])
    return 0.5 * np.log((d[f"e_{k}"] + pz) / (d[f"e_{k}"] - pz))
dphi = np.abs(d["phi_1"] - d["phi_2"])
dphi = np.where(dphi > np.pi, 2 * np.pi - dphi, dphi)
dr = np.sqrt((rap(1) - rap(2)) ** 2 + dphi ** 2)
print(json.dumps({"rows": [int(i) for i in d.index], "dR": [float(x) for x in dr],
  "lead_pt": [float(x) for x in np.maximum(d["pt_1"], d["pt_2"])],
  "label_sum": int(pd.read_csv(sys.argv[1])["label"].sum())}))
`;
  const py = spawnSync(SYSTEM_PYTHON, ["-c", script, file], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as { rows: number[]; dR: number[]; lead_pt: number[]; label_sum: number };
  assert.equal(ref.label_sum, 5059);
  assert.ok(ref.rows.length > 2000);
  ref.rows.forEach((row, i) => {
    const r = recs[row];
    const d = r.jets[0].dR.jet2;
    assert.ok(Math.abs(d - ref.dR[i]) <= 1e-9 * Math.max(1, ref.dR[i]), `row ${row}: dR ${d} vs numpy ${ref.dR[i]}`);
    assert.equal(r.jets[1].dR.jet1, d, `row ${row}: dR is symmetric`);
    assert.equal(r.jets[0].P_T, ref.lead_pt[i], `row ${row}: leading pT`);
  });
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
