import { test } from "node:test";
import assert from "node:assert/strict";
import { simulationConfig } from "../../lib/simulation";
import { ParticleList } from "../../lib/simulation/particles";
import { alphaS, CA, CF, showerParton } from "../../lib/simulation/shower";
import { Rng } from "../../lib/util/rng";

test("one-loop alpha_s with 5 flavours and Lambda = 0.2 GeV", () => {
  // 1 / ((23 / 12pi) ln(Q^2 / Lambda^2)) at Q = 91.1876 GeV: 1 / (0.610094 * 12.24462) = 0.133861.
  assert.ok(Math.abs(alphaS(91.1876, 0.2) - 0.133861) < 2e-6);
  // Frozen below 1.5 Lambda.
  assert.equal(alphaS(0.1, 0.2), alphaS(0.3, 0.2));
});

function showerSums(colour: number, hadronsPerParton: number, seed: number): { p: number[]; n: number; m: number } {
  const cfg = simulationConfig({ shower: { hadronsPerParton } });
  const out = new ParticleList();
  const [px, py, pz] = [1000, 200, 500];
  showerParton(px, py, pz, colour, 1.0, cfg.shower, new Rng(seed), out);
  let sx = 0, sy = 0, sz = 0, e = 0;
  for (let i = 0; i < out.n; i++) {
    sx += out.px[i];
    sy += out.py[i];
    sz += out.pz[i];
    e += Math.hypot(out.px[i], out.py[i], out.pz[i]);
  }
  return { p: [sx - px, sy - py, sz - pz], n: out.n, m: Math.sqrt(Math.max(0, e * e - sx * sx - sy * sy - sz * sz)) };
}

test("the shower conserves three-momentum at every splitting", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const { p, n } = showerSums(CA, 0, seed);
    assert.ok(n > 1, "the parton radiated");
    for (const d of p) assert.ok(Math.abs(d) < 1e-9, `seed ${seed}: momentum imbalance ${p}`);
  }
});

test("gluons radiate more than quarks (C_A > C_F) and jets acquire QCD-like masses", () => {
  let nq = 0, ng = 0;
  const masses: number[] = [];
  for (let seed = 1; seed <= 60; seed++) {
    nq += showerSums(CF, 0, seed).n;
    const g = showerSums(CA, 0, seed);
    ng += g.n;
    masses.push(g.m);
  }
  assert.ok(ng > 1.3 * nq, `gluon ${ng} vs quark ${nq} partons`);
  masses.sort((a, b) => a - b);
  const median = masses[30];
  // A 1.1 TeV gluon jet at R ~ 1: m/pT ~ 0.1-0.2.
  assert.ok(median > 50 && median < 300, `median mass ${median}`);
});

test("particle lists apply acceptance and keep the hardest 700 in generation order", () => {
  const list = new ParticleList(4);
  list.addPtEtaPhi(0.05, 0, 0); // below 0.1 GeV: dropped
  list.addPtEtaPhi(10, 5.5, 1); // |eta| > 5: dropped
  for (let i = 0; i < 702; i++) list.addPtEtaPhi(1 + i, 0.5, 0.25);
  const { pt, eta, phi } = list.toPtEtaPhi(0.1, 5, false);
  assert.equal(pt.length, 700);
  // The two softest accepted (1 and 2 GeV) go; order is kept.
  assert.ok(Math.abs(pt[0] - 3) < 1e-9 && Math.abs(pt[699] - 702) < 1e-9);
  assert.ok(Math.abs(eta[5] - 0.5) < 1e-12 && Math.abs(phi[5] - 0.25) < 1e-12);
  const f = list.toPtEtaPhi(0.1, 5, true);
  assert.equal(f.pt[0], Math.fround(f.pt[0]));
});

test("particle lists at the 700 cap keep a hard particle that comes after pT ties at the cut", () => {
  // 701 particles of exactly 1 GeV, then one of 100 GeV: the cut (700th largest) is 1 GeV, so 699
  // of the ties and the 100 GeV particle are the hardest 700.
  const list = new ParticleList();
  for (let i = 0; i < 701; i++) list.addPtEtaPhi(1, 0.5, 0.25);
  list.addPtEtaPhi(100, -1, 1);
  const { pt } = list.toPtEtaPhi(0.1, 5, true);
  assert.equal(pt.length, 700);
  assert.equal(pt.filter((x) => x === 1).length, 699);
  assert.equal(pt[699], 100);
});
