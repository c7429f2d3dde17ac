import { test } from "node:test";
import assert from "node:assert/strict";
import { bumpHunt, bumpHuntTool, sidebandBackground } from "../../../lib/agents/tools/bump_hunt";
import { histogram } from "../../../lib/agents/tools/mjj_histogram";
import { ToolRegistry } from "../../../lib/agents/tools/tool";

/** 10 events at the centre of every 100 GeV bin in [1000, 2000), 25 in [1500, 1600). */
function sample(): number[] {
  const v: number[] = [];
  for (let i = 0; i < 10; i++) for (let k = 0; k < (i === 5 ? 25 : 10); k++) v.push(1050 + 100 * i);
  return v;
}

test("sliding windows on hand-derived counts (linear side-bands)", () => {
  const r = bumpHunt(sample(), { range: [1000, 2000], window: 100, sideband: 100, step: 100, background: "linear" });
  // Window starts 1100..1800 (both side-bands inside [1000, 2000]): 8 windows.
  assert.deepEqual(r.windows.map((w) => w.lo), [1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800]);
  const at = (lo: number) => r.windows.find((w) => w.lo === lo)!;
  // The bump: n = 25, side-bands 10 + 10, b = 100 (10 + 10) / (2 * 100) = 10.
  assert.deepEqual([at(1500).n, at(1500).n_left, at(1500).n_right, at(1500).b], [25, 10, 10, 10]);
  assert.ok(Math.abs(at(1500).b_err - Math.sqrt(20) / 2) < 1e-12);
  // scipy: poisson.sf(24, 10), norm.isf of it.
  assert.ok(Math.abs(at(1500).p_value / 4.694938142679987e-5 - 1) < 1e-9);
  assert.ok(Math.abs(at(1500).z - 3.9058396557323523) < 1e-8);
  // Next to the bump the side-band is inflated: n = 10, b = (10 + 25) / 2 = 17.5, a deficit.
  assert.deepEqual([at(1400).n, at(1400).b], [10, 17.5]);
  assert.ok(Math.abs(at(1400).p_value - 0.9798957243648997) < 1e-10);
  assert.ok(at(1400).z < 0);
  // Flat region: n = b = 10.
  assert.equal(at(1100).b, 10);
  assert.equal(r.best!.lo, 1500);
  assert.equal(r.trials, 8);
  assert.ok(Math.abs(r.p_global_bonferroni! - 8 * 4.694938142679987e-5) < 1e-12);
});

test("linear background: side-band average is exact for a linear density", () => {
  // Density rising linearly: bin i (100 GeV wide from 0) holds 10 + 2 i events.
  const v: number[] = [];
  for (let i = 0; i < 10; i++) for (let k = 0; k < 10 + 2 * i; k++) v.push(100 * i + 50);
  const r = bumpHunt(v, { range: [0, 1000], window: 100, sideband: 100, step: 100, background: "linear" });
  for (const w of r.windows) assert.equal(w.b, w.n); // (n(i-1) + n(i+1)) / 2 = n(i) for a linear count
  // A wider side-band: window [400, 500), side-bands [200, 400) and [500, 700): b = 100 (14+16 + 20+22) / 400 = 18 = n.
  const r2 = bumpHunt(v, { range: [200, 700], window: 100, sideband: 200, background: "linear" });
  assert.equal(r2.windows.length, 1);
  assert.deepEqual([r2.windows[0].n, r2.windows[0].b], [18, 18]);
});

test("exponential side-bands: hand-derived counts and the default", () => {
  const r = bumpHunt(sample(), { range: [1000, 2000], window: 100, sideband: 100, step: 100 });
  const at = (lo: number) => r.windows.find((w) => w.lo === lo)!;
  // Equal side-bands: b = n (flat) and 10 under the bump, as with the linear estimate.
  assert.deepEqual([at(1100).b, at(1500).b], [10, 10]);
  assert.ok(Math.abs(at(1500).z - 3.9058396557323523) < 1e-8);
  // Next to the bump, w = d: b = sqrt(n_L n_R) = sqrt(10 * 25) (the sinhc factors cancel); error b/2 sqrt(1/10 + 1/25).
  assert.ok(Math.abs(at(1400).b - Math.sqrt(250)) < 1e-12);
  assert.ok(Math.abs(at(1400).b_err - (Math.sqrt(250) / 2) * Math.sqrt(0.1 + 0.04)) < 1e-12);
  assert.equal(r.best!.lo, 1500);
});

test("side-band estimates are exact for their densities (expected counts from closed-form integrals)", () => {
  // rho(m) = A exp(-k m): integral over [a, b] = A/k (e^{-k a} - e^{-k b}).
  const A = 1e6;
  const k = 0.002;
  const expInt = (a: number, b: number) => (A / k) * (Math.exp(-k * a) - Math.exp(-k * b));
  const [s, w, d] = [3000, 150, 400];
  const est = sidebandBackground(expInt(s - d, s), expInt(s + w, s + w + d), w, d, "exponential");
  assert.ok(Math.abs(est.b / expInt(s, s + w) - 1) < 1e-12, `${est.b} vs ${expInt(s, s + w)}`);
  // The linear estimate is biased high for a convex (falling exponential) spectrum.
  assert.ok(sidebandBackground(expInt(s - d, s), expInt(s + w, s + w + d), w, d, "linear").b > expInt(s, s + w) * 1.05);
  // rho(m) = 50 - 0.01 m: integral = 50 (b - a) - 0.005 (b^2 - a^2).
  const linInt = (a: number, b: number) => 50 * (b - a) - 0.005 * (b * b - a * a);
  const lin = sidebandBackground(linInt(1000, 1400), linInt(1550, 1950), w, d, "linear");
  assert.ok(Math.abs(lin.b / linInt(1400, 1550) - 1) < 1e-12);
  // An empty side-band: the exponential falls back to linear.
  assert.deepEqual(sidebandBackground(0, 8, 100, 200, "exponential"), sidebandBackground(0, 8, 100, 200, "linear"));
});

test("bad geometry is refused with a clear message; empty side-bands are skipped", () => {
  assert.throws(() => bumpHunt([], { range: [0, 100], window: 80, sideband: 20 }), /do not fit/);
  assert.throws(() => bumpHunt([], { range: [0, 100], window: 0, sideband: 20 }), /> 0/);
  const r = bumpHunt([150], { range: [0, 300], window: 100, sideband: 100 });
  assert.equal(r.trials, 0);
  assert.equal(r.best, null);
});

test("histogram follows numpy's convention (last bin closed)", () => {
  const h = histogram([0, 0.5, 1, 1.5, 2, 2.5, 3, -1, 3.0001, NaN], 3, 0, 3);
  assert.deepEqual(h.counts, [2, 2, 3]);
  assert.deepEqual(h.edges, [0, 1, 2, 3]);
  assert.deepEqual([h.underflow, h.overflow, h.total], [1, 1, 7]);
});

test("the tool reads the loaded sample and validates its arguments", async () => {
  const reg = new ToolRegistry([bumpHuntTool(() => sample())]);
  const ok = await reg.execute({ id: "1", type: "function", function: { name: "bump_hunt", arguments: '{"range":[1000,2000],"window":100,"sideband":100,"step":100,"top":2}' } });
  assert.equal(ok.ok, true);
  const res = ok.result as { best: { lo: number }; top_windows: unknown[] };
  assert.equal(res.best.lo, 1500);
  assert.equal(res.top_windows.length, 2);
  const bad = await reg.execute({ id: "2", type: "function", function: { name: "bump_hunt", arguments: '{"range":[1000],"window":-1,"sideband":100}' } });
  assert.equal(bad.error, "invalid_arguments");
  assert.match(bad.content, /\/range must NOT have fewer than 2 items/);
  assert.match(bad.content, /\/window must be > 0/);
});
