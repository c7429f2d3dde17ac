/**
 * The fused native training blocks (lib/llm/kernels/native-fused.ts over native/fused.cc) against
 * the plain-op wasm path they replace (itself checked against PyTorch in test/llm/model and
 * test/llm/adapters): RMSNorm, SwiGLU, the LoRA projection and the attention core (GQA, padding,
 * sliding window, a query subset), values and gradients ≤ 1e-5 relative; a LoRA model's loss and
 * LoRA gradients on both paths; and the fused attention's gradient against central differences
 * (independent of either path's backward). With CI set the addon must be built.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { applyLora } from "../../../lib/llm";
import { loadNativeAddon, nativeFused, nativeInfo, nativeUnavailableReason, setNativeThreads, useFusedKernels } from "../../../lib/llm/kernels/native";
import { rmsNorm } from "../../../lib/llm/model/rmsnorm";
import { swiglu } from "../../../lib/llm/model/mlp";
import { attention, AttentionContext } from "../../../lib/llm/model/attention";
import { attentionBias } from "../../../lib/llm/model/mask";
import { ropeTable } from "../../../lib/llm/model/rope";
import { Rng } from "../../../lib/util/rng";
import type { ModelConfig } from "../../../lib/llm";
import { skipOrFail } from "../../support/shared";
import { useWasm } from "../../support/backend";
import { randomModel, relErr, TINY_MISTRAL } from "../support";

before(useWasm);

function missing(): string | undefined {
  if (!loadNativeAddon()) return `native addon unavailable (${nativeUnavailableReason()}; npm run build:native needs g++ and libopenblas-dev)`;
  useFusedKernels(true);
  if (!nativeFused()) return "the native addon has no fused kernels (rebuild: npm run build:native)";
  return undefined;
}

function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * rng.normal()), shape);
}

/**
 * f's value and its gradients with respect to `xs` under a random cotangent, on the fused path and
 * on the plain path; each compared ≤ 1e-5 relative.
 */
function compare(label: string, xs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor, seed = 1): void {
  const run = (fused: boolean): Float32Array[] => {
    useFusedKernels(fused);
    try {
      return tf.tidy(() => {
        const y = f(...xs);
        const w = randn(new Rng(seed), y.shape);
        const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
        return [y, ...g].map((t) => t.dataSync() as Float32Array);
      });
    } finally {
      useFusedKernels(true);
    }
  };
  const got = run(true);
  const want = run(false);
  got.forEach((g, i) => {
    const e = relErr(g, want[i]);
    assert.ok(e <= 1e-5, `${label}: ${i === 0 ? "value" : `gradient ${i}`} differs by ${e.toExponential(2)} (relative)`);
  });
}

test("fused RMSNorm and SwiGLU match the plain ops, values and gradients", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const rng = new Rng(3);
  const x = randn(rng, [37, 48], 2);
  const gain = randn(rng, [48], 0.3).add(1) as tf.Tensor1D;
  compare("rmsNorm", [x], (a) => rmsNorm(a as tf.Tensor2D, gain, 1e-5));
  const g = randn(rng, [29, 70], 3);
  const u = randn(rng, [29, 70]);
  compare("swiglu", [g, u], (a, b) => swiglu(a as tf.Tensor2D, b as tf.Tensor2D));
  tf.dispose([x, gain, g, u]);
});

test("fused LoRA projection matches frozen product + LoRA branch (dropout off and on), values and gradients", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const m = randomModel(TINY_MISTRAL, 4);
  const lora = applyLora(m, { r: 4, alpha: 8, dropout: 0, targetModules: ["q_proj", "down_proj"] });
  try {
    const rng = new Rng(5);
    for (const l of [m.layers[0].attn.q, m.layers[1].mlp.down]) {
      l.lora!.b.assign(randn(rng, l.lora!.b.shape, 0.2));
      const x = randn(rng, [19, l.inFeatures]);
      compare(l.name, [x, l.lora!.a, l.lora!.b], (a) => l.apply(a as tf.Tensor2D));
      // With LoRA dropout (a fixed seed: both paths draw the same mask) the branch reads x dropped.
      l.lora!.dropout = 0.3;
      l.lora!.seed = 17;
      l.training = true;
      compare(`${l.name} with dropout`, [x, l.lora!.a, l.lora!.b], (a) => l.apply(a as tf.Tensor2D));
      l.training = false;
      l.lora!.dropout = 0;
      x.dispose();
    }
  } finally {
    lora.dispose();
    m.dispose();
  }
});

// Shapes that take every path of native/fused.cc's tiled product (AVX-512 CPUs): 300 inputs (two
// blocks of k, the second accumulated), 53 outputs (strips of 32 and 16, then 5 single columns),
// 21 rows (tiles of 8, 4 and 1); against the plain ops x·W + s·(x·A)·B and their gradients.
test("fused LoRA projection matches the plain ops on odd shapes (k blocks, column and row tails)", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const fused = nativeFused()!;
  const rng = new Rng(16);
  const [n, inF, outF, r, s] = [21, 300, 53, 3, 0.7];
  const w = randn(rng, [inF, outF], 0.1) as tf.Tensor2D;
  const x = randn(rng, [n, inF]);
  const a = randn(rng, [inF, r], 0.1);
  const b = randn(rng, [r, outF], 0.1);
  const plain = (xx: tf.Tensor, aa: tf.Tensor, bb: tf.Tensor): tf.Tensor => tf.add(tf.matMul(xx, w), tf.mul(tf.matMul(tf.matMul(xx, aa), bb), s));
  const run = (f: (xx: tf.Tensor, aa: tf.Tensor, bb: tf.Tensor) => tf.Tensor): Float32Array[] =>
    tf.tidy(() => {
      const cot = randn(new Rng(17), [n, outF]);
      const g = tf.grads((xx: tf.Tensor, aa: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(f(xx, aa, bb), cot)))([x, a, b]);
      return [f(x, a, b), ...g].map((v) => v.dataSync() as Float32Array);
    });
  useFusedKernels(false);
  const want = run(plain);
  useFusedKernels(true);
  // One BLAS thread: the tiled kernel (on AVX-512 CPUs); two: OpenBLAS's threaded product.
  const threads = nativeInfo()!.threads;
  try {
    for (const n of [1, 2]) {
      setNativeThreads(n);
      const got = run((xx, aa, bb) => fused.loraLinear!(xx as tf.Tensor2D, w, aa as tf.Tensor2D, bb as tf.Tensor2D, s));
      got.forEach((g, i) => assert.ok(relErr(g, want[i]) <= 1e-5, `${n} threads: ${i === 0 ? "value" : `gradient ${i}`} differs by ${relErr(g, want[i]).toExponential(2)}`));
    }
  } finally {
    setNativeThreads(threads);
  }
  tf.dispose([w, x, a, b]);
});

/**
 * An attention layer's inputs: B = 3 rows of T tokens, `pad` left-padding tokens in row 1, sliding
 * window `window`, GQA 4/2; with `only`, the queries are the rows' last two tokens (or `queries`).
 */
function attentionCase(only: boolean, t = 9, pad = 3, window: number | null = TINY_MISTRAL.slidingWindow, queries?: number[][], cfg: ModelConfig = TINY_MISTRAL): { x: tf.Tensor2D; ctx: AttentionContext; sub?: { x: tf.Tensor2D; len: number; rope: ReturnType<typeof ropeTable>; bias: tf.Tensor } } {
  const b = 3;
  const keyMask = [new Uint8Array(t).fill(1), Uint8Array.from({ length: t }, (_, j) => (j < pad ? 0 : 1)), new Uint8Array(t).fill(1)];
  const positions = new Int32Array(b * t);
  keyMask.forEach((km, i) => {
    let p = 0;
    for (let j = 0; j < t; j++) positions[i * t + j] = km[j] ? p++ : 1;
  });
  const rng = new Rng(8);
  const x = randn(rng, [b * t, cfg.hiddenSize]) as tf.Tensor2D;
  const ctx: AttentionContext = {
    batch: b, queryLen: t, heads: cfg.numHeads, kvHeads: cfg.numKvHeads, headDim: cfg.headDim,
    ropeQ: ropeTable(positions, cfg.headDim, cfg.ropeTheta, 1 / Math.sqrt(cfg.headDim)),
    ropeK: ropeTable(positions, cfg.headDim, cfg.ropeTheta),
    bias: attentionBias(b, t, 0, keyMask, window), layer: 0,
  };
  if (!only) return { x, ctx };
  const rows = queries ?? [[t - 2, t - 1], [t - 2, t - 1], [t - 2, t - 1]];
  const flat = rows.flatMap((r, i) => r.map((j) => i * t + j));
  return {
    x, ctx,
    sub: { x: tf.gather(x, flat) as tf.Tensor2D, len: rows[0].length, rope: ropeTable(flat.map((r) => positions[r]), cfg.headDim, cfg.ropeTheta, 1 / Math.sqrt(cfg.headDim)), bias: attentionBias(b, t, 0, keyMask, window, rows) },
  };
}

function compareAttention(label: string, seed: number, cases: Parameters<typeof attentionCase>[], cfg: ModelConfig = TINY_MISTRAL): void {
  const m = randomModel(cfg, seed);
  try {
    const w = m.layers[0].attn;
    for (const args of cases) {
      const { x, ctx, sub } = attentionCase(args[0], args[1], args[2], args[3], args[4], cfg);
      const what = `${label} (T ${ctx.queryLen}, head size ${cfg.headDim}, window ${args[3]}${sub ? ", query subset" : ""})`;
      if (sub) compare(what, [x, sub.x], (a, q) => attention(a as tf.Tensor2D, w, ctx, { ...sub, x: q as tf.Tensor2D }));
      else compare(what, [x], (a) => attention(a as tf.Tensor2D, w, ctx));
      tf.dispose([x, ctx.ropeQ.cos, ctx.ropeQ.sin, ctx.ropeK.cos, ctx.ropeK.sin, ctx.bias, sub?.x, sub?.rope.cos, sub?.rope.sin, sub?.bias].filter((v): v is tf.Tensor => v !== undefined));
    }
  } finally {
    m.dispose();
  }
}

test("fused attention (RoPE, GQA, padding, window, query subset) matches the plain ops, values and gradients", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  compareAttention("attention", 6, [[false], [true]]);
});

// native/fused.cc skips the keys a query cannot see, per row and per block of 32 query rows; with
// T = 75 there are three blocks (32, 32, 11 rows), spans that start past 0 (window, padding) and
// end before T (causal), rows whose spans are not multiples of 8, and padding queries that see
// nothing (the whole row kept), each compared with the plain ops that compute every key. Run with
// HEPLLM_FUSED_TILED=0 too: the products in OpenBLAS instead of the AVX-512 kernel.
test("fused attention's causal skipping (blocks, window, padding, query subset) matches the plain ops", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const subset = [[74, 3, 40], [60, 0, 33], [32, 12, 31]]; // not in order: a block's first query is not the one that sees the most
  compareAttention("causal skipping", 14, [[false, 75, 11, null], [false, 75, 11, 20], [false, 75, 40, 13], [true, 75, 11, 20, subset], [true, 75, 11, null, subset]]);
  // Head size 12: the products' last columns (fewer than 16) take the register-tiled kernel's
  // column-by-column tail (native/fused.cc SmallGemm, on CPUs with AVX-512).
  compareAttention("causal skipping", 15, [[false, 75, 11, 20], [true, 75, 11, null, subset]], { ...TINY_MISTRAL, headDim: 12 });
});

test("fused attention's gradient matches central differences along a direction", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const m = randomModel(TINY_MISTRAL, 7);
  const { x, ctx } = attentionCase(false);
  try {
    const w = m.layers[0].attn;
    // Padding queries (row 1, tokens 0..2) see only masked keys: their softmax is flat in float32
    // (−1e9 + score rounds to −1e9), so their output carries no derivative; leave them out.
    const d = TINY_MISTRAL.hiddenSize;
    const cot = tf.mul(randn(new Rng(9), [x.shape[0], d]), tf.tensor2d(Array.from({ length: x.shape[0] }, (_, r) => (r >= 9 && r < 12 ? 0 : 1)), [x.shape[0], 1]));
    const loss = (a: tf.Tensor): tf.Scalar => tf.sum(tf.mul(attention(a as tf.Tensor2D, w, ctx), cot));

    const raw = randn(new Rng(10), x.shape);
    const dir = tf.div(raw, tf.norm(raw)); // unit step direction
    raw.dispose();
    const g = tf.tidy(() => tf.sum(tf.mul(tf.grad(loss)(x), dir)).dataSync()[0]);
    // The loss summed on the host in float64 (a float32 sum's rounding would swamp the differences).
    const cotHost = cot.dataSync();
    const at = (h: number): number => {
      const y = tf.tidy(() => attention(tf.add(x, tf.mul(dir, h)) as tf.Tensor2D, w, ctx).dataSync());
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * cotHost[i];
      return s;
    };
    const central = (h: number): number => (at(h) - at(-h)) / (2 * h);
    const numeric = (4 * central(3e-2) - central(6e-2)) / 3; // Richardson: the h² terms cancel
    assert.ok(Math.abs(numeric - g) <= 1e-3 * Math.abs(g), `analytic ${g} vs numeric ${numeric}`);
    tf.dispose([cot, dir]);
  } finally {
    tf.dispose([x, ctx.ropeQ.cos, ctx.ropeQ.sin, ctx.ropeK.cos, ctx.ropeK.sin, ctx.bias]);
    m.dispose();
  }
});

test("a LoRA model's loss and LoRA gradients agree on the fused and plain paths; no tensors leak", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const m = randomModel(TINY_MISTRAL, 11);
  const lora = applyLora(m, { r: 4, alpha: 8, dropout: 0, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] });
  try {
    const rng = new Rng(12);
    const vars = lora.variables();
    for (const v of vars) if (v.name.includes("lora_B") || v.shape[0] === 4) v.assign(randn(rng, v.shape, 0.1));
    const ids = tf.tensor2d([[1, 5, 9, 13, 17, 21, 25], [0, 0, 4, 8, 12, 16, 20]], undefined, "int32");
    const mask = [[1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1]];
    for (const positions of [undefined, "last" as const]) {
      const run = (fused: boolean): Float32Array[] => {
        useFusedKernels(fused);
        try {
          const before = tf.memory().numTensors;
          const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(tf.square(m.forward(ids, { attentionMask: mask, positions }))) as tf.Scalar), vars);
          const out = [value, ...vars.map((v) => grads[v.name])].map((g) => g.dataSync() as Float32Array);
          tf.dispose([value, ...Object.values(grads)]);
          assert.equal(tf.memory().numTensors, before, "tensors leaked");
          return out;
        } finally {
          useFusedKernels(true);
        }
      };
      const got = run(true);
      const want = run(false);
      got.forEach((g, i) => assert.ok(relErr(g, want[i]) <= 1e-5, `positions ${positions}: ${i === 0 ? "loss" : vars[i - 1].name} differs by ${relErr(g, want[i]).toExponential(2)}`));
    }
    ids.dispose();
  } finally {
    lora.dispose();
    m.dispose();
  }
});

test("fused AdamW update matches the plain ops over several steps (decay on and off)", async (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const { AdamW } = await import("../../../lib/train/adamw");
  const rng = new Rng(13);
  const init = [randn(rng, [17, 5]), randn(rng, [33])];
  const grads = [0, 1, 2].map(() => init.map((p) => randn(rng, p.shape, 0.1)));
  const run = (fused: boolean): Float32Array[] => {
    useFusedKernels(fused);
    try {
      const vars = init.map((p) => tf.variable(p.clone()));
      const opt = new AdamW([{ name: "a", variables: [vars[0]], lrScale: 1, weightDecay: 0.01 }, { name: "b", variables: [vars[1]], lrScale: 2, weightDecay: 0 }]);
      for (const g of grads) opt.apply(new Map(vars.map((v, i) => [v, g[i]] as [tf.Variable, tf.Tensor])), 1e-2);
      const state = opt.getState();
      const out = [...vars.map((v) => v.dataSync() as Float32Array), ...[...state.tensors.values()].map((x) => x.data)];
      opt.dispose();
      tf.dispose(vars);
      return out;
    } finally {
      useFusedKernels(true);
    }
  };
  const got = run(true);
  const want = run(false);
  got.forEach((g, i) => assert.ok(relErr(g, want[i]) <= 1e-5, `tensor ${i} differs by ${relErr(g, want[i]).toExponential(2)}`));
  tf.dispose([...init, ...grads.flat()]);
});
