import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../../../support/backend";
import { FusionAdapter, FusionConfig } from "../../../../lib/llm/adapters/fusion/adapter";
import { eventFeatures, featureSize } from "../../../../lib/llm/adapters/fusion/features";
import type { EventRecord } from "../../../../lib/jets/record";

before(useWasm);

const jet = (pt: number, m: number) => ({
  P_T: pt, eta: 0.5, phi: -1, E: pt * 1.1, m, n_particles: 40, P_T_lead: pt / 5,
  tau1: 0.3, tau2: 0.1, tau3: 0.05, tau21: 1 / 3, tau32: 0.5, dR: {},
});
const rec = (pt: number, m: number, mjj?: number): EventRecord => ({
  id: 0, type: "signal", n_particles: 150, n_jets: 2, ...(mjj === undefined ? {} : { M_jj: mjj }), jets: [jet(pt, m), jet(pt * 0.9, m / 2)],
});

/** Feature-vector length for 2 jets. */
const F = featureSize(2);

function cfg(mode: FusionConfig["mode"]): FusionConfig {
  return { mode, inputSize: featureSize(2), hiddenSize: 16, maxJets: 2, dropout: 0, initScale: 0.5 };
}

// The feature vector itself (layout, scaling, presence flags) is tested in features.test.ts.

test("every adapter weight receives a non-zero gradient through the injected embedding", () => {
  for (const mode of ["first-token", "token"] as const) {
    const a = new FusionAdapter(cfg(mode), 1);
    const x = tf.tensor2d([...eventFeatures(rec(1500, 300, 3500)), ...eventFeatures(rec(1300, 80, 2800))], [2, F]);
    const embeds = tf.randomNormal([2, 5, 16], 0, 1, "float32", 3) as tf.Tensor3D;
    const target = tf.randomNormal([2, 5, 16], 0, 1, "float32", 4);
    const { grads } = tf.variableGrads(() => a.inject(embeds, x, [1, 3]).sub(target).square().sum() as tf.Scalar, a.variables());
    for (const v of a.variables()) {
      const g = grads[v.name];
      assert.ok(g, `${mode}: gradient for ${v.name}`);
      const norm = g.abs().max().dataSync()[0];
      assert.ok(norm > 0, `${mode}: gradient of ${v.name} is zero`);
    }
    a.dispose();
  }
});

test("different features give different embeddings; only the chosen position changes", () => {
  const a = new FusionAdapter(cfg("token"), 2);
  const embeds = tf.randomNormal([1, 4, 16], 0, 1, "float32", 5) as tf.Tensor3D;
  const out1 = a.inject(embeds, tf.tensor2d(eventFeatures(rec(1500, 300, 3500)), [1, F]), [2]).arraySync()[0];
  const out2 = a.inject(embeds, tf.tensor2d(eventFeatures(rec(1300, 80, 2800)), [1, F]), [2]).arraySync()[0];
  const e = embeds.arraySync()[0];
  const diff = (u: number[], v: number[]) => Math.max(...u.map((x, i) => Math.abs(x - v[i])));
  assert.ok(diff(out1[2], out2[2]) > 1e-3, "the feature token's embedding depends on the features");
  // Added to the token's own row, not replacing it: out = e + v at the chosen position.
  const v1 = a.vector(tf.tensor2d(eventFeatures(rec(1500, 300, 3500)), [1, F])).arraySync()[0];
  assert.ok(diff(out1[2], e[2].map((x, i) => x + v1[i])) < 1e-5, "token mode adds v to the row");
  for (const t of [0, 1, 3]) assert.equal(diff(out1[t], e[t]), 0, `position ${t} untouched`);
  const off = new FusionAdapter(cfg("off"), 2);
  assert.equal(off.inject(embeds, tf.zeros([1, F]) as tf.Tensor2D, [0]), embeds, "off injects nothing");
  a.dispose();
  off.dispose();
});

test("first-token mode adds to the first real token under left padding", () => {
  const a = new FusionAdapter(cfg("first-token"), 3);
  const embeds = tf.zeros([1, 4, 16]) as tf.Tensor3D;
  const feats = tf.tensor2d(eventFeatures(rec(1500, 300, 3500)), [1, F]);
  const v = a.vector(feats).arraySync()[0];
  const out = a.inject(embeds, feats, [2]).arraySync()[0];
  assert.deepEqual(out[2].map((x) => +x.toFixed(5)), v.map((x) => +x.toFixed(5)));
  assert.ok(out[0].every((x) => x === 0) && out[1].every((x) => x === 0), "padding positions untouched");
  a.dispose();
});
