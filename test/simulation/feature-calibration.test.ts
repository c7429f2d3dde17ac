import { test } from "node:test";
import assert from "node:assert/strict";
import type { EventRecord, JetRecord } from "../../lib/jets/record";
import { featureCalibrationMarkdown, featureCalibrationPasses, featureCalibrationTable, recordObservables } from "../../lib/simulation";

function jet(P_T: number, m: number, tau21: number, tau32: number, eta = 0, phi = 0): JetRecord {
  const E = Math.sqrt(m * m + (P_T * Math.cosh(eta)) ** 2);
  return { P_T, eta, phi, E, m, tau1: 1, tau2: tau21, tau3: tau21 * tau32, tau21, tau32, dR: {} };
}
function rec(id: number, type: EventRecord["type"], jets: JetRecord[], M_jj?: number): EventRecord {
  return { id, type, n_jets: jets.length, jets, ...(M_jj === undefined ? {} : { M_jj }) };
}

test("j1, j2 are the leading jets by P_T whatever the record's order; cut, type and jet count apply", () => {
  const recs = [
    // Listed softer jet first: j1 must be the 1300 GeV jet.
    rec(0, "background", [jet(1250, 40, 0.5, 0.7), jet(1300, 90, 0.6, 0.8)], 2600),
    rec(1, "signal", [jet(1500, 500, 0.2, 0.6), jet(1400, 100, 0.3, 0.7)], 3500),
    rec(2, "background", [jet(1100, 10, 0.1, 0.1), jet(1000, 10, 0.1, 0.1)], 2100), // fails the 1200 GeV cut
    rec(3, "unknown", [jet(1500, 10, 0.1, 0.1), jet(1400, 10, 0.1, 0.1)], 2900), // unlabelled
    rec(4, "signal", [jet(1500, 10, 0.1, 0.1)]), // one jet
  ];
  const o = recordObservables(recs, 1200);
  assert.deepEqual(o.background.m_j1, [90]);
  assert.deepEqual(o.background.m_j2, [40]);
  assert.deepEqual(o.background.tau21_j1, [0.6]);
  assert.deepEqual(o.background.tau32_j2, [0.7]);
  assert.deepEqual(o.background.m_jj, [2600]);
  assert.deepEqual(o.signal.m_j1, [500]);
  assert.deepEqual(o.signal.m_jj, [3500]);
});

test("m_jj is rebuilt from the jets when a record lacks it: two back-to-back massless 1200 GeV jets give 2400", () => {
  const o = recordObservables([rec(0, "background", [jet(1200, 0, 0.5, 0.5, 0, 0), jet(1200, 0, 0.5, 0.5, 0, Math.PI)])]);
  assert.ok(Math.abs(o.background.m_jj[0] - 2400) < 1e-9);
});

test("KS per class by hand: disjoint samples give 1, identical ones 0; the Markdown says PASS/FAIL", () => {
  const bg = (m: number) => rec(0, "background", [jet(1300, m, 0.5, 0.7), jet(1250, m, 0.5, 0.7)], 2600);
  const sg = (m: number) => rec(0, "signal", [jet(1300, m, 0.3, 0.6), jet(1250, m, 0.3, 0.6)], 3500);
  const real = [bg(10), bg(20), sg(100), sg(110)];
  const sim = [bg(30), bg(40), sg(100), sg(110)];
  const t = featureCalibrationTable(real, sim, { minLeadPt: 1200 });
  const row = (o: string) => t.rows.find((r) => r.observable === o)!;
  assert.equal(row("m_j1").background.d, 1);
  assert.equal(row("m_j1").signal.d, 0);
  assert.equal(row("tau21_j2").background.d, 0);
  assert.deepEqual(t.counts, { real: { background: 2, signal: 2 }, sim: { background: 2, signal: 2 } });
  assert.equal(featureCalibrationPasses(t), false);
  const md = featureCalibrationMarkdown(t);
  assert.match(md, /\| m_j1 \| 1\.000 FAIL \(2\/2\) \| 0\.000 PASS \(2\/2\) \|/);
  assert.match(md, /Leading-jet P_T >= 1200 GeV/);
  assert.equal(featureCalibrationPasses(featureCalibrationTable(real, real)), true);
});
