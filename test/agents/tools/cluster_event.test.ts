import { test } from "node:test";
import assert from "node:assert/strict";
import { analysisTools } from "../../../lib/agents/tools";
import type { EventRecord } from "../../../lib/jets/record";

const call = (name: string, args: unknown) => ({ id: "c", type: "function" as const, function: { name, arguments: JSON.stringify(args) } });

test("two back-to-back jets: masses and M_jj from the massless two-body formula", async () => {
  // Jet 1 = 1000 GeV at (0, 0) plus 10 GeV at (0.1, 0.1) (within R = 1); jet 2 = 1000 GeV at (0, pi).
  const particles = [
    { pt: 1000, eta: 0, phi: 0 },
    { pt: 10, eta: 0.1, phi: 0.1 },
    { pt: 1000, eta: 0, phi: Math.PI },
  ];
  const reg = analysisTools({});
  const out = await reg.execute(call("cluster_event", { particles }));
  assert.equal(out.ok, true, out.content);
  const r = out.result as EventRecord;
  assert.equal(r.n_jets, 2);
  assert.deepEqual(r.jets.map((j) => j.n_particles), [2, 1]);
  // m^2 of two massless particles = 2 pT1 pT2 (cosh(d eta) - cos(d phi)).
  const m1 = Math.sqrt(2 * 1000 * 10 * (Math.cosh(0.1) - Math.cos(0.1)));
  assert.ok(Math.abs(r.jets[0].m - m1) < 1e-6, `${r.jets[0].m} vs ${m1}`);
  assert.ok(Math.abs(r.jets[1].m) < 1e-6);
  // M_jj from summed four-momenta, by hand.
  const p = (pt: number, eta: number, phi: number) => [pt * Math.cos(phi), pt * Math.sin(phi), pt * Math.sinh(eta), pt * Math.cosh(eta)];
  const tot = [p(1000, 0, 0), p(10, 0.1, 0.1), p(1000, 0, Math.PI)].reduce((a, b) => a.map((x, i) => x + b[i]));
  const mjj = Math.sqrt(tot[3] ** 2 - tot[0] ** 2 - tot[1] ** 2 - tot[2] ** 2);
  assert.ok(Math.abs(r.M_jj! - mjj) < 1e-6, `${r.M_jj} vs ${mjj}`);
});

test("by id from the loaded sample, truth label hidden; errors are tool messages", async () => {
  const ev = { id: 42, label: 1 as const, pt: Float64Array.of(500, 500), eta: Float64Array.of(0, 0), phi: Float64Array.of(0, Math.PI) };
  const reg = analysisTools({ events: [ev] });
  const out = await reg.execute(call("cluster_event", { id: 42, R: 0.4 }));
  assert.equal((out.result as EventRecord).type, "unknown");
  assert.equal((out.result as EventRecord).id, 42);
  const missing = await reg.execute(call("cluster_event", { id: 7 }));
  assert.equal(missing.error, "exception");
  assert.match(missing.content, /no event with id 7/);
  const bad = await reg.execute(call("cluster_event", { particles: [{ pt: -1, eta: 0, phi: 0 }] }));
  assert.equal(bad.error, "invalid_arguments");
  assert.deepEqual(reg.names(), ["cluster_event", "mjj_histogram", "bump_hunt"]);
});
