/**
 * Fused training kernels for the wasm backend with the native addon (native/fused.cc): RMSNorm,
 * SwiGLU, the attention core (RoPE, Q·Kᵀ, bias, softmax, ·V), the LoRA projection and the AdamW
 * update (one kernel per parameter instead of a dozen), each one
 * registered tfjs kernel forward and one (or two) backward, running on the wasm heap in place.
 * They replace dozens of small wasm kernels, transposes and reshapes per layer (a training step
 * made ~1,600 engine calls; the engine's per-call cost was ~40 % of a step next to the native
 * products). Same formulas as the plain-op path (lib/llm/model/*.ts); results agree to float32
 * rounding (test/llm/kernels/native-fused.test.ts: ≤ 1e-5 relative, gradients included).
 *
 * Gradients are registered per kernel (tf.registerGradient), so under a tape each block is one
 * tape node with no customGrad scope. Model code reaches these through lib/llm/kernels/kernels.ts
 * (`backendKernels().fused`), present only while the native kernels are active.
 *
 * The attention kernels skip the keys each query cannot see (bias ≤ −1e8: causal, window,
 * padding), per query row and per block of 32 queries, with the same probabilities; the LoRA
 * backward computes the input's gradient (the frozen dY·Wᵀ) only when the tape asks for it.
 */
import * as tf from "@tensorflow/tfjs";
import type { RopeTable } from "../model/rope";

/** The addon's fused exports (native/fused.cc documents the arguments). */
export interface FusedAddon {
  rmsNorm(heap: ArrayBuffer, x: number, g: number, y: number, n: number, d: number, eps: number): void;
  rmsNormGrad(heap: ArrayBuffer, dy: number, x: number, g: number, dx: number, dg: number, n: number, d: number, eps: number): void;
  swiglu(heap: ArrayBuffer, g: number, u: number, y: number, count: number): void;
  swigluGrad(heap: ArrayBuffer, dy: number, g: number, u: number, dg: number, du: number, count: number): void;
  attnProbs(heap: ArrayBuffer, q: number, k: number, cq: number, sq: number, ck: number, sk: number, bias: number, biasBatched: number, p: number, ...dims: number[]): void;
  attnProbsGrad(heap: ArrayBuffer, dP: number, p: number, q: number, k: number, cq: number, sq: number, ck: number, sk: number, bias: number, biasBatched: number, dq: number, dk: number, ...dims: number[]): void;
  attnApply(heap: ArrayBuffer, p: number, v: number, bias: number, biasBatched: number, out: number, ...dims: number[]): void;
  attnApplyGrad(heap: ArrayBuffer, dO: number, p: number, v: number, bias: number, biasBatched: number, dP: number, dv: number, ...dims: number[]): void;
  loraLinear(heap: ArrayBuffer, x: number, xd: number, w: number, a: number, b: number, y: number, n: number, inF: number, outF: number, r: number, scale: number): void;
  loraLinearGrad(heap: ArrayBuffer, dy: number, xd: number, a: number, b: number, da: number, db: number, dh: number, n: number, inF: number, outF: number, r: number, scale: number): void;
  loraLinearGradX(heap: ArrayBuffer, dy: number, w: number, a: number, dh: number, dx: number, n: number, inF: number, outF: number, r: number, part: number): void;
  adamW(heap: ArrayBuffer, p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number, beta1: number, beta2: number, c1: number, c2: number, eps: number, bc1: number, bc2: number, lr: number, decay: number): void;
}

/** One AdamW update's constants (lib/train/adamw.ts): moment decays, ε, bias corrections 1 − βᵗ, step size, and the decoupled decay factor 1 − lr·λ. */
export interface AdamWStep {
  beta1: number;
  beta2: number;
  eps: number;
  bc1: number;
  bc2: number;
  lr: number;
  decay: number;
}

/** Shapes of one attention call: batch, query rows and keys per batch row, heads, kv heads, head size. */
export interface AttentionDims {
  batch: number;
  queryLen: number;
  keyLen: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** The fused blocks, as differentiable ops (kernels.ts exposes them as `fused`); a backend may offer some. */
export interface FusedKernels {
  /** RMSNorm of x [N, D] with gain [D]. */
  rmsNorm?(x: tf.Tensor2D, gain: tf.Tensor1D, eps: number): tf.Tensor2D;
  /** silu(g) ⊙ u for g, u [N, I]. */
  swiglu?(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D;
  /**
   * softmax(rope(q)·rope(k)ᵀ + bias)·v per head: q [B·Tq, H·hd] and k, v [B·S, KV·hd] as the
   * projections give them (k, v unrotated, no cache), bias [B or 1, 1, 1, Tq, S] → [B·Tq, H·hd].
   */
  attention?(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, ropeQ: RopeTable, ropeK: RopeTable, bias: tf.Tensor, dims: AttentionDims): tf.Tensor2D;
  /**
   * x [N, in] · W [in, out] + scale·(xd·A)·B with A [in, r], B [r, out] (W frozen); xd is the
   * branch's input (x after LoRA dropout), x itself when absent.
   */
  loraLinear?(x: tf.Tensor2D, w: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, scale: number, xd?: tf.Tensor2D): tf.Tensor2D;
  /** One AdamW update of a parameter and its moments: the new [p, m, v] (no gradient). */
  adamW?(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, step: AdamWStep): [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
interface Heap {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

const K = {
  rmsNorm: "HepllmRmsNorm",
  rmsNormGrad: "HepllmRmsNormGrad",
  swiglu: "HepllmSwiglu",
  swigluGrad: "HepllmSwigluGrad",
  attnProbs: "HepllmAttnProbs",
  attnProbsGrad: "HepllmAttnProbsGrad",
  attnApply: "HepllmAttnApply",
  attnApplyGrad: "HepllmAttnApplyGrad",
  lora: "HepllmLoraLinear",
  loraDropout: "HepllmLoraLinearDropout",
  loraGrad: "HepllmLoraLinearGrad",
  loraGradX: "HepllmLoraLinearGradX",
  adamW: "HepllmAdamW",
};

/**
 * Allocates the outputs first (that may grow the heap), then calls `f` with the heap's current
 * buffer and the byte offsets of the inputs and outputs, in order.
 */
function onHeap(backend: unknown, inputs: tf.TensorInfo[], outShapes: number[][], f: (heap: ArrayBuffer, off: number[]) => void): tf.TensorInfo[] {
  const b = backend as Heap;
  for (const t of inputs) if (t.dtype !== "float32") throw new Error(`fused kernel: expected float32 inputs, got ${t.dtype} [${t.shape}]`);
  const outs = outShapes.map((s) => b.makeOutput(s, "float32"));
  const off = [...inputs, ...outs].map((t) => b.dataIdMap.get(t.dataId).memoryOffset);
  f(b.wasm.HEAPU8.buffer as ArrayBuffer, off);
  return outs;
}

function attnDims(attrs: unknown): number[] {
  const d = attrs as unknown as AttentionDims;
  return [d.batch, d.queryLen, d.keyLen, d.heads, d.kvHeads, d.headDim];
}

type Info = tf.TensorInfo;
type Ins = Record<string, Info>;

/** Registers the fused kernels on the wasm backend and their gradients (once). */
export function registerFusedKernels(addon: FusedAddon): void {
  const reg = (kernelName: string, f: (inputs: Ins, backend: unknown, attrs: Record<string, unknown>) => Info | Info[]): void => {
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: ({ inputs, backend, attrs }) => f(inputs as Ins, backend, (attrs ?? {}) as Record<string, unknown>) });
  };
  reg(K.rmsNorm, ({ x, g }, be, { eps }) => onHeap(be, [x, g], [x.shape], (h, o) => addon.rmsNorm(h, o[0], o[1], o[2], x.shape[0], x.shape[1], eps as number))[0]);
  reg(K.rmsNormGrad, ({ dy, x, g }, be, { eps }) => onHeap(be, [dy, x, g], [x.shape, g.shape], (h, o) => addon.rmsNormGrad(h, o[0], o[1], o[2], o[3], o[4], x.shape[0], x.shape[1], eps as number)));
  reg(K.swiglu, ({ g, u }, be) => onHeap(be, [g, u], [g.shape], (h, o) => addon.swiglu(h, o[0], o[1], o[2], tf.util.sizeFromShape(g.shape)))[0]);
  reg(K.swigluGrad, ({ dy, g, u }, be) => onHeap(be, [dy, g, u], [g.shape, u.shape], (h, o) => addon.swigluGrad(h, o[0], o[1], o[2], o[3], o[4], tf.util.sizeFromShape(g.shape))));
  // P is [B, KV, Tq, rep, S] (a query's rep heads adjacent); every kernel reads the bias [B or 1, …, Tq, S]
  // for the keys each query sees (native/fused.cc skips the hidden ones: causal skipping).
  const batched = (bias: Info, attrs: unknown): number => (bias.shape[0] === (attrs as AttentionDims).batch && bias.shape[0] > 1 ? 1 : 0);
  reg(K.attnProbs, ({ q, k, cq, sq, ck, sk, bias }, be, attrs) => {
    const [b, tq, s, hh, kv] = attnDims(attrs);
    return onHeap(be, [q, k, cq, sq, ck, sk, bias], [[b, kv, tq, hh / kv, s]], (h, o) => addon.attnProbs(h, o[0], o[1], o[2], o[3], o[4], o[5], o[6], batched(bias, attrs), o[7], ...attnDims(attrs)))[0];
  });
  reg(K.attnProbsGrad, ({ dP, p, q, k, cq, sq, ck, sk, bias }, be, attrs) =>
    onHeap(be, [dP, p, q, k, cq, sq, ck, sk, bias], [q.shape, k.shape], (h, o) => addon.attnProbsGrad(h, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], batched(bias, attrs), o[9], o[10], ...attnDims(attrs))));
  reg(K.attnApply, ({ p, v, bias }, be, attrs) => {
    const [b, tq, , hh, , hd] = attnDims(attrs);
    return onHeap(be, [p, v, bias], [[b * tq, hh * hd]], (h, o) => addon.attnApply(h, o[0], o[1], o[2], batched(bias, attrs), o[3], ...attnDims(attrs)))[0];
  });
  reg(K.attnApplyGrad, ({ dO, p, v, bias }, be, attrs) =>
    onHeap(be, [dO, p, v, bias], [p.shape, v.shape], (h, o) => addon.attnApplyGrad(h, o[0], o[1], o[2], o[3], batched(bias, attrs), o[4], o[5], ...attnDims(attrs))));
  const loraDims = (x: Info, b: Info, scale: unknown): [number, number, number, number, number] => [x.shape[0], x.shape[1], b.shape[1], b.shape[0], scale as number];
  reg(K.lora, ({ x, w, a, b }, be, { scale }) => onHeap(be, [x, w, a, b], [[x.shape[0], w.shape[1]]], (h, o) => addon.loraLinear(h, o[0], o[0], o[1], o[2], o[3], o[4], ...loraDims(x, b, scale)))[0]);
  reg(K.loraDropout, ({ x, xd, w, a, b }, be, { scale }) =>
    onHeap(be, [x, xd, w, a, b], [[x.shape[0], w.shape[1]]], (h, o) => addon.loraLinear(h, o[0], o[1], o[2], o[3], o[4], o[5], ...loraDims(x, b, scale)))[0]);
  // The backward in two kernels: the branch's [da, db, dh] (dh = s·dY·Bᵀ), run by the gradient
  // function; the input's dx from dh, run only when the tape asks for it (not for layer 0's inputs).
  reg(K.loraGrad, ({ dy, x, a, b }, be, { scale }) =>
    onHeap(be, [dy, x, a, b], [a.shape, b.shape, [x.shape[0], a.shape[1]]], (h, o) => addon.loraLinearGrad(h, o[0], o[1], o[2], o[3], o[4], o[5], o[6], ...loraDims(x, b, scale))));
  reg(K.loraGradX, ({ dy, w, a, dh }, be, { part }) =>
    onHeap(be, [dy, w, a, dh], [[dy.shape[0], a.shape[0]]], (h, o) => addon.loraLinearGradX(h, o[0], o[1], o[2], o[3], o[4], dy.shape[0], a.shape[0], dy.shape[1], a.shape[1], part as number))[0]);
  reg(K.adamW, ({ p, g, m, v }, be, a) => {
    const n = tf.util.sizeFromShape(p.shape);
    for (const t of [g, m, v]) if (tf.util.sizeFromShape(t.shape) !== n) throw new Error(`adamW: gradient and moments must match the parameter's shape [${p.shape}]`);
    return onHeap(be, [p, g, m, v], [p.shape, p.shape, p.shape], (h, o) =>
      addon.adamW(h, o[0], o[1], o[2], o[3], o[4], o[5], o[6], n, a.beta1 as number, a.beta2 as number, 1 - (a.beta1 as number), 1 - (a.beta2 as number), a.eps as number, a.bc1 as number, a.bc2 as number, a.lr as number, a.decay as number));
  });

  const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): tf.Tensor[] => {
    const out = tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap);
    return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
  };
  const zeros = (t: tf.Tensor) => () => tf.zerosLike(t);
  tf.registerGradient({
    kernelName: K.rmsNorm,
    inputsToSave: ["x", "g"],
    gradFunc: (dy, [x, g], attrs) => {
      const [dx, dg] = run(K.rmsNormGrad, { dy: dy as tf.Tensor, x, g }, attrs as Record<string, unknown>);
      return { x: () => dx, g: () => dg };
    },
  });
  tf.registerGradient({
    kernelName: K.swiglu,
    inputsToSave: ["g", "u"],
    gradFunc: (dy, [g, u]) => {
      const [dg, du] = run(K.swigluGrad, { dy: dy as tf.Tensor, g, u });
      return { g: () => dg, u: () => du };
    },
  });
  tf.registerGradient({
    kernelName: K.attnProbs,
    inputsToSave: ["q", "k", "cq", "sq", "ck", "sk", "bias"],
    outputsToSave: [true],
    gradFunc: (dP, [q, k, cq, sq, ck, sk, bias, p], attrs) => {
      const [dq, dk] = run(K.attnProbsGrad, { dP: dP as tf.Tensor, p, q, k, cq, sq, ck, sk, bias }, attrs as Record<string, unknown>);
      return { q: () => dq, k: () => dk, cq: zeros(cq), sq: zeros(sq), ck: zeros(ck), sk: zeros(sk), bias: zeros(bias) };
    },
  });
  tf.registerGradient({
    kernelName: K.attnApply,
    inputsToSave: ["p", "v", "bias"],
    gradFunc: (dO, [p, v, bias], attrs) => {
      const [dPr, dv] = run(K.attnApplyGrad, { dO: dO as tf.Tensor, p, v, bias }, attrs as Record<string, unknown>);
      return { p: () => dPr, v: () => dv, bias: zeros(bias) };
    },
  });
  tf.registerGradient({
    kernelName: K.loraDropout,
    inputsToSave: ["x", "xd", "w", "a", "b"],
    gradFunc: (dy, [x, xd, w, a, b], attrs) => {
      const [da, db, dh] = run(K.loraGrad, { dy: dy as tf.Tensor, x: xd, a, b }, attrs as Record<string, unknown>);
      const dx = (part: number) => (): tf.Tensor => run(K.loraGradX, { dy: dy as tf.Tensor, w, a, dh }, { part })[0];
      return { x: dx(0), xd: dx(2), a: () => da, b: () => db, w: () => tf.matMul(x, dy as tf.Tensor, true, false) };
    },
  });
  tf.registerGradient({
    kernelName: K.lora,
    inputsToSave: ["x", "w", "a", "b"],
    gradFunc: (dy, [x, w, a, b], attrs) => {
      const [da, db, dh] = run(K.loraGrad, { dy: dy as tf.Tensor, x, a, b }, attrs as Record<string, unknown>);
      const dx = (): tf.Tensor => run(K.loraGradX, { dy: dy as tf.Tensor, w, a, dh }, { part: 1 })[0];
      // W is frozen in LoRA training; its gradient is here for completeness.
      return { x: dx, a: () => da, b: () => db, w: () => tf.matMul(x, dy as tf.Tensor, true, false) };
    },
  });
}

/** The ops over the kernels above (valid while the native kernels are registered). */
export const FUSED: FusedKernels = {
  rmsNorm: (x, gain, eps) => tf.engine().runKernel(K.rmsNorm, { x, g: gain }, { eps }) as tf.Tensor2D,
  swiglu: (g, u) => tf.engine().runKernel(K.swiglu, { g, u }, {}) as tf.Tensor2D,
  attention(q, k, v, ropeQ, ropeK, bias, dims) {
    const attrs = dims as unknown as tf.NamedAttrMap;
    const p = tf.engine().runKernel(K.attnProbs, { q, k, cq: ropeQ.cos, sq: ropeQ.sin, ck: ropeK.cos, sk: ropeK.sin, bias }, attrs) as tf.Tensor;
    const out = tf.engine().runKernel(K.attnApply, { p, v, bias }, attrs) as tf.Tensor2D;
    p.dispose(); // the tape keeps its own reference when recording
    return out;
  },
  loraLinear: (x, w, a, b, scale, xd) =>
    (xd ? tf.engine().runKernel(K.loraDropout, { x, xd, w, a, b }, { scale }) : tf.engine().runKernel(K.lora, { x, w, a, b }, { scale })) as tf.Tensor2D,
  adamW: (p, g, m, v, step) => tf.engine().runKernel(K.adamW, { p, g, m, v }, step as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor],
};
