/**
 * The native scoring kernels (lib/llm/kernels/native-score.ts over native/score.cc) against a
 * hand-derived case and against plain tfjs ops written out here from the definition (keys listed
 * [prefix, own], a −1e9 bias outside each query's range, softmax, values): GQA, a shared prefix or
 * none, per-query ranges that cut the window, extra keys, head sizes 16 and 32 (vector path) and
 * 6 (generic path); RoPE on rows against x·cos + rotate_half(x)·sin. ≤ 1e-5 relative. With CI set
 * the addon must be built.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNativeAddon, nativeUnavailableReason, useNativeKernels } from "../../../lib/llm/kernels/native";
import { nativeScoring, ScoringKernels } from "../../../lib/llm/kernels/native-score";
import { Rng } from "../../../lib/util/rng";
import { skipOrFail } from "../../support/shared";
import { useWasm } from "../../support/backend";
import { relErr } from "../support";

before(useWasm);

function kernels(): ScoringKernels | string {
  if (!loadNativeAddon()) return `native addon unavailable (${nativeUnavailableReason()}; npm run build:native needs g++ and libopenblas-dev)`;
  useNativeKernels(true);
  return nativeScoring() ?? "the native addon has no scoring kernels (rebuild: npm run build:native)";
}

function randn(rng: Rng, shape: number[]): tf.Tensor2D {
  const n = shape.reduce((a, b) => a * b, 1);
  const x: tf.Tensor = tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
  return x as tf.Tensor2D; // or [rows, 1, hd] for the rotary tables
}

interface Case {
  b: number;
  m: number;
  t: number;
  p: number;
  heads: number;
  kv: number;
  hd: number;
  ext: boolean;
  /** [lo, hi) per table row. */
  ranges: [number, number][];
}

/** The definition in plain tfjs ops, one (row, query, head) at a time. */
function reference(c: Case, q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, kp: tf.Tensor2D | undefined, vp: tf.Tensor2D | undefined, ke: tf.Tensor2D | undefined, ve: tf.Tensor2D | undefined): Float32Array {
  const out = new Float32Array(c.b * c.m * c.heads * c.hd);
  const s = c.p + c.t;
  const rep = c.heads / c.kv;
  tf.tidy(() => {
    for (let b = 0; b < c.b; b++) {
      const own = k.slice([b * c.t, 0], [c.t, -1]);
      const ownV = v.slice([b * c.t, 0], [c.t, -1]);
      const keys = kp ? tf.concat([kp, own], 0) : own; // [S, KV·hd]
      const vals = vp ? tf.concat([vp, ownV], 0) : ownV;
      for (let i = 0; i < c.m; i++) {
        const row = b * c.m + i;
        const [lo, hi] = c.ranges[row % c.ranges.length];
        const bias = tf.tensor1d(Array.from({ length: s }, (_, j) => (j >= lo && j < hi ? 0 : -1e9)));
        for (let h = 0; h < c.heads; h++) {
          const g = Math.floor(h / rep);
          const qh = q.slice([row, h * c.hd], [1, c.hd]);
          const kg = keys.slice([0, g * c.hd], [s, c.hd]);
          const vg = vals.slice([0, g * c.hd], [s, c.hd]);
          let scores = tf.add(tf.matMul(qh, kg, false, true).reshape([s]), bias);
          let vAll = vg;
          if (ke && ve) {
            scores = tf.concat([scores, tf.sum(tf.mul(qh, ke.slice([row, g * c.hd], [1, c.hd]))).reshape([1])]);
            vAll = tf.concat([vg, ve.slice([row, g * c.hd], [1, c.hd])], 0);
          }
          const o = tf.matMul(tf.softmax(scores).reshape([1, -1]), vAll).dataSync();
          out.set(o, row * c.heads * c.hd + h * c.hd);
        }
      }
    }
  });
  return out;
}

function check(sk: ScoringKernels, c: Case, seed: number): void {
  const rng = new Rng(seed);
  tf.tidy(() => {
    const q = randn(rng, [c.b * c.m, c.heads * c.hd]);
    const k = randn(rng, [c.b * c.t, c.kv * c.hd]);
    const v = randn(rng, [c.b * c.t, c.kv * c.hd]);
    const kp = c.p > 0 ? randn(rng, [c.p, c.kv * c.hd]) : undefined;
    const vp = c.p > 0 ? randn(rng, [c.p, c.kv * c.hd]) : undefined;
    const ke = c.ext ? randn(rng, [c.b * c.m, c.kv * c.hd]) : undefined;
    const ve = c.ext ? randn(rng, [c.b * c.m, c.kv * c.hd]) : undefined;
    const ranges = tf.tensor2d(c.ranges.flat(), [c.ranges.length, 2], "int32");
    const got = sk.attend(q, { k, v }, kp && vp ? { k: kp, v: vp } : undefined, ke && ve ? { k: ke, v: ve } : undefined, ranges, { batch: c.b, queries: c.m, own: c.t, heads: c.heads, kvHeads: c.kv, headDim: c.hd });
    assert.deepEqual(got.shape, [c.b * c.m, c.heads * c.hd]);
    const want = reference(c, q, k, v, kp, vp, ke, ve);
    const err = relErr(got.dataSync() as Float32Array, want);
    assert.ok(err < 1e-5, `${JSON.stringify({ ...c, ranges: c.ranges.length })}: relative error ${err}`);
  });
}

test("attend: a hand-derived case (one head, two keys)", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  tf.tidy(() => {
    // q = [1, 0]; keys [1, 0], [0, 1]: scores 1, 0 → p = [e, 1]/(e + 1); values [1, 2], [3, 4].
    const out = sk.attend(tf.tensor2d([[1, 0]]), { k: tf.tensor2d([[1, 0], [0, 1]]), v: tf.tensor2d([[1, 2], [3, 4]]) }, undefined, undefined, tf.tensor2d([[0, 2]], [1, 2], "int32"), { batch: 1, queries: 1, own: 2, heads: 1, kvHeads: 1, headDim: 2 });
    const p0 = Math.E / (Math.E + 1);
    const want = [p0 * 1 + (1 - p0) * 3, p0 * 2 + (1 - p0) * 4];
    (out.arraySync() as number[][])[0].forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-6, `${x} vs ${want[i]}`));
    // The range [1, 2): only the second key; an extra key [1, 0] with value [5, 6]: scores 0, 1.
    const out2 = sk.attend(tf.tensor2d([[1, 0]]), { k: tf.tensor2d([[1, 0], [0, 1]]), v: tf.tensor2d([[1, 2], [3, 4]]) }, undefined, { k: tf.tensor2d([[1, 0]]), v: tf.tensor2d([[5, 6]]) }, tf.tensor2d([[1, 2]], [1, 2], "int32"), { batch: 1, queries: 1, own: 2, heads: 1, kvHeads: 1, headDim: 2 });
    const want2 = [(1 - p0) * 3 + p0 * 5, (1 - p0) * 4 + p0 * 6];
    (out2.arraySync() as number[][])[0].forEach((x, i) => assert.ok(Math.abs(x - want2[i]) < 1e-6, `${x} vs ${want2[i]}`));
  });
});

test("attend: own queries of the scoring forward (causal ranges with a window, shared prefix, GQA) = plain ops", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  for (const hd of [16, 32, 6]) {
    const [p, tt, w] = [3, 21, 9];
    // Own query j at absolute index p + j sees [max(0, p + j − w + 1), p + j + 1): every row alike.
    const ranges = Array.from({ length: tt }, (_, j) => [Math.max(0, p + j - w + 1), p + j + 1] as [number, number]);
    check(sk, { b: 3, m: tt, t: tt, p, heads: 4, kv: 2, hd, ext: false, ranges }, hd);
    check(sk, { b: 2, m: tt, t: tt, p: 0, heads: 2, kv: 2, hd, ext: false, ranges: ranges.map(([lo, hi]) => [Math.max(0, lo - p), hi - p]) }, hd + 1);
    check(sk, { b: 2, m: tt, t: tt, p, heads: 6, kv: 2, hd, ext: false, ranges }, hd + 2); // 3 heads per kv head
  }
});

test("attend: per-row queries with extra keys (the labels as alternatives) = plain ops", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  const b = 5;
  const m = 2;
  const rng = new Rng(4);
  const ranges = Array.from({ length: b * m }, () => {
    const hi = 1 + Math.floor(rng.uniform() * 19); // of S = 4 + 15
    return [Math.floor(rng.uniform() * hi), hi] as [number, number];
  });
  for (const hd of [16, 6]) check(sk, { b, m, t: 15, p: 4, heads: 6, kv: 3, hd, ext: true, ranges }, 20 + hd);
});

test("ropeRows = x·cos + rotate_half(x)·sin per head, table row i mod R", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  const rng = new Rng(7);
  for (const [hd, rows] of [[16, 5], [6, 15]]) {
    tf.tidy(() => {
      const [n, heads] = [15, 3];
      const x = randn(rng, [n, heads * hd]);
      const cos = randn(rng, [rows, 1, hd]);
      const sin = randn(rng, [rows, 1, hd]);
      const got = sk.ropeRows(x, cos, sin, hd);
      const idx = tf.tensor1d(Array.from({ length: n }, (_, i) => i % rows), "int32");
      const c = tf.gather(cos, idx); // [n, 1, hd]
      const s = tf.gather(sin, idx);
      const xh = x.reshape([n, heads, hd]);
      const half = hd / 2;
      const rot = tf.concat([tf.neg(xh.slice([0, 0, half], [-1, -1, half])), xh.slice([0, 0, 0], [-1, -1, half])], 2);
      const want = tf.add(tf.mul(xh, c), tf.mul(rot, s)).reshape([n, heads * hd]);
      const err = relErr(got.dataSync() as Float32Array, want.dataSync() as Float32Array);
      assert.ok(err < 1e-6, `hd ${hd}: relative error ${err}`);
    });
  }
});

test("attend: bad ranges are refused with the range named", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  tf.tidy(() => {
    const q = tf.zeros([1, 4]) as tf.Tensor2D;
    const kv = { k: tf.zeros([2, 4]), v: tf.zeros([2, 4]) };
    assert.throws(() => sk.attend(q, kv, undefined, undefined, tf.tensor2d([[0, 3]], [1, 2], "int32"), { batch: 1, queries: 1, own: 2, heads: 1, kvHeads: 1, headDim: 4 }), /key range 0 \[0, 3\)/);
  });
});

test("gatherRows: the table's rows by id; an id outside the table is refused", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  tf.tidy(() => {
    const table = tf.tensor2d([[0, 1, 2], [10, 11, 12], [20, 21, 22]]);
    assert.deepEqual(sk.gatherRows(table, tf.tensor1d([2, 0, 2, 1], "int32")).arraySync(), [[20, 21, 22], [0, 1, 2], [20, 21, 22], [10, 11, 12]]);
    assert.throws(() => sk.gatherRows(table, tf.tensor1d([1, 3], "int32")), /token id 3 \(position 1\) is outside the vocabulary \(0..2\)/);
  });
});

test("mlpResidual = h + (silu(x·Wg) ⊙ (x·Wu))·Wd, x = h/√(mean(h²) + eps), in plain ops (rows past one block)", (t) => {
  const sk = kernels();
  if (typeof sk === "string") return skipOrFail(t, sk);
  const rng = new Rng(11);
  for (const [n, d, inner] of [[600, 24, 40], [3, 8, 5]]) {
    tf.tidy(() => {
      const h = randn(rng, [n, d]);
      const [wg, wu, wd] = [randn(rng, [d, inner]), randn(rng, [d, inner]), randn(rng, [inner, d])];
      const eps = 1e-5;
      const x = tf.div(h, tf.sqrt(tf.add(tf.mean(tf.square(h), 1, true), eps)));
      const g = tf.matMul(x, wg);
      const want = tf.add(h, tf.matMul(tf.mul(tf.mul(g, tf.sigmoid(g)), tf.matMul(x, wu)), wd));
      const got = sk.mlpResidual(h, wg, wu, wd, eps);
      const err = relErr(got.dataSync() as Float32Array, want.dataSync() as Float32Array);
      assert.ok(err < 1e-5, `[${n}, ${d}, ${inner}]: relative error ${err}`);
    });
  }
});
