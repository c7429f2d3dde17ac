import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterJets } from "../../lib/jets";
import { simulationConfig } from "../../lib/simulation";
import { ParticleList } from "../../lib/simulation/particles";
import { qcdDijet } from "../../lib/simulation/qcd";
import { underlyingEvent } from "../../lib/simulation/underlying";
import { wprimeSignal } from "../../lib/simulation/wprime";
import { passesTrigger } from "../../lib/simulation/trigger";
import { Rng } from "../../lib/util/rng";

test("the trigger shortcut agrees with a full anti-kt R=1.0 clustering on raw events", () => {
  const cfg = simulationConfig({});
  const rng = new Rng(77);
  const list = new ParticleList();
  let pass = 0;
  const n = 400;
  for (let k = 0; k < n; k++) {
    list.clear();
    if (k % 4 === 0) wprimeSignal(cfg, rng, list);
    else qcdDijet(cfg, rng, list);
    underlyingEvent(cfg, rng, list);
    const { pt, eta, phi } = list.toPtEtaPhi(0.1, 5, true);
    const jets = clusterJets(pt, eta, phi, { algorithm: "antikt", R: 1.0 }, 20);
    const full = jets.length > 0 && jets[0].pt > 1200;
    assert.equal(passesTrigger(pt, eta, phi, 1.0, 1200), full, `raw event ${k}: leading jet ${jets[0]?.pt} GeV`);
    if (full) pass++;
  }
  // Both outcomes occur, so the comparison covers both branches.
  assert.ok(pass > 0.3 * n && pass < 0.95 * n, `${pass}/${n} pass`);
});

test("hand-made events: one hard jet over threshold passes, a soft-only event fails", () => {
  const hard = { pt: new Float64Array([700, 600, 3, 2]), eta: new Float64Array([0, 0.3, 0.1, 2]), phi: new Float64Array([0, 0.2, 0.1, 1]) };
  assert.equal(passesTrigger(hard.pt, hard.eta, hard.phi, 1.0, 1200), true);
  // Same particles but the two hard ones 2 apart in eta: two jets of 700 and 600 GeV.
  assert.equal(passesTrigger(hard.pt, new Float64Array([0, 2, 0.1, 2]), hard.phi, 1.0, 1200), false);
  // 1199 GeV of hard jet plus 3 GeV of soft particles within R: 1202 GeV passes only with them.
  const edge = { pt: new Float64Array([1199, 1.5, 1.5]), eta: new Float64Array([0, 0.5, -0.5]), phi: new Float64Array([0, 0, 0]) };
  assert.equal(passesTrigger(edge.pt, edge.eta, edge.phi, 1.0, 1200), true);
  assert.equal(passesTrigger(edge.pt, new Float64Array([0, 1.5, -1.5]), edge.phi, 1.0, 1200), false);
});
