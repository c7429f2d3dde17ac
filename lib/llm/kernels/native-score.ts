/**
 * Scoring kernels for the wasm backend with the native addon (native/score.cc), forward only:
 * token embedding rows gathered on the heap, the MLP block (RMSNorm, gate and up, SwiGLU, down,
 * residual) in cache-sized row blocks, RoPE on rows of the projections' layout, and the scoring forward's attention core in one call
 * per layer (lib/train/scoring-forward.ts). The attention works on the scoring forward's layout
 * as it is: queries [B·M, H·hd] and own keys/values [B·T, KV·hd] straight from the products, the
 * shared prefix's keys/values [P, KV·hd] once (not tiled per row), each query's visible keys as a
 * range [lo, hi) instead of a bias table, so no concatenation, transposes, bias adds or masked
 * scores. No gradients: scoring runs outside a tape.
 *
 * Model code reaches these through lib/llm/kernels/kernels.ts (`backendKernels().scoring`),
 * present only while the native kernels are active and the addon has them; elsewhere the scoring
 * forward composes plain tfjs ops (the portable path). Same numbers within float32 rounding
 * (test/llm/kernels/native-score.test.ts, against the plain ops).
 */
import * as tf from "@tensorflow/tfjs";
import { loadNativeAddon, nativeKernelsActive } from "./native";

/** The addon's scoring exports (native/score.cc documents the arguments). */
interface ScoreAddon {
  ropeRows(heap: ArrayBuffer, x: number, cos: number, sin: number, y: number, n: number, width: number, hd: number, tableRows: number): void;
  gatherRows(heap: ArrayBuffer, table: number, ids: number, out: number, n: number, d: number, vocab: number): void;
  mlpResidual(heap: ArrayBuffer, h: number, wg: number, wu: number, wd: number, out: number, n: number, d: number, inner: number, eps: number): void;
  attend(heap: ArrayBuffer, q: number, kOwn: number, vOwn: number, kPre: number, vPre: number, kExt: number, vExt: number, ranges: number, out: number, ...dims: number[]): void;
}

/** Shapes of one attention call: batch rows, queries per row, own keys per row, heads, kv heads, head size. */
export interface ScoreAttentionDims {
  batch: number;
  queries: number;
  own: number;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Keys (rotated) and values of the same rows, [rows, KV·hd] (any leading shape of that size). */
export interface KeysValues {
  k: tf.Tensor;
  v: tf.Tensor;
}

export interface ScoringKernels {
  /**
   * h + (silu(x·Wg) ⊙ (x·Wu))·Wd with x = h/√(mean(h²) + eps) per row: the decoder's MLP block with
   * its RMSNorm gain folded into Wg, Wu [D, I] (Wd [I, D]), h [N, D] → [N, D]; rows in cache-sized
   * blocks, so the [N, I] activations never go through memory.
   */
  mlpResidual(h: tf.Tensor2D, gate: tf.Tensor2D, up: tf.Tensor2D, down: tf.Tensor2D, eps: number): tf.Tensor2D;
  /** Rows `ids` (int32 [N]) of `table` [V, D]: → [N, D] (token embeddings; the wasm gather copies element by element). */
  gatherRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D;
  /**
   * Rotate-half RoPE of x [N, heads·hd] with tables cos, sin [R, hd] (any shape of R·hd values; row
   * i uses table row i mod R; the query scale folded in): → [N, heads·hd].
   */
  ropeRows(x: tf.Tensor2D, cos: tf.Tensor, sin: tf.Tensor, headDim: number): tf.Tensor2D;
  /**
   * softmax(q·Kᵀ)·V per head over each query's visible keys: q [B·M, H·hd] (rotated, scaled), own
   * keys/values [B·T, KV·hd], the shared prefix's [P, KV·hd] (every row's first P keys), `ranges`
   * int32 [R, 2]: query row r sees keys [lo, hi) of its row's list [prefix, own] (table row r mod
   * R); `extra`: one more key/value per query [B·M, KV·hd] that only that query sees. → [B·M, H·hd].
   */
  attend(q: tf.Tensor2D, own: KeysValues, prefix: KeysValues | undefined, extra: KeysValues | undefined, ranges: tf.Tensor2D, dims: ScoreAttentionDims): tf.Tensor2D;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
interface Heap {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

const K = { rope: "HepllmScoreRope", attend: "HepllmScoreAttend", gather: "HepllmScoreGatherRows", mlp: "HepllmScoreMlpResidual" };

/** Allocates the output first (that may grow the heap), then calls `f` with the heap and the byte offsets of inputs and output. */
function onHeap(backend: unknown, inputs: tf.TensorInfo[], outShape: number[], f: (heap: ArrayBuffer, off: number[]) => void): tf.TensorInfo {
  const b = backend as Heap;
  const out = b.makeOutput(outShape, "float32");
  f(b.wasm.HEAPU8.buffer as ArrayBuffer, [...inputs, out].map((t) => b.dataIdMap.get(t.dataId).memoryOffset));
  return out;
}

function checkFloat(name: string, ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== "float32") throw new Error(`${name}: expected float32 inputs, got ${t.dtype} [${t.shape}]`);
}

function register(addon: ScoreAddon): void {
  tf.registerKernel({
    kernelName: K.mlp,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { h, wg, wu, wd } = inputs as Record<string, tf.TensorInfo>;
      checkFloat(K.mlp, [h, wg, wu, wd]);
      const [n, d] = h.shape;
      const inner = wg.shape[1];
      if (wg.shape[0] !== d || wu.shape[0] !== d || wu.shape[1] !== inner || wd.shape[0] !== inner || wd.shape[1] !== d) {
        throw new Error(`${K.mlp}: weights [${wg.shape}], [${wu.shape}], [${wd.shape}] do not fit h [${h.shape}]`);
      }
      const eps = (attrs as { eps: number }).eps;
      return onHeap(backend, [h, wg, wu, wd], [n, d], (hp, o) => addon.mlpResidual(hp, o[0], o[1], o[2], o[3], o[4], n, d, inner, eps));
    },
  });
  tf.registerKernel({
    kernelName: K.gather,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => {
      const { table, ids } = inputs as Record<string, tf.TensorInfo>;
      checkFloat(K.gather, [table]);
      if (ids.dtype !== "int32" || table.shape.length !== 2) throw new Error(`${K.gather}: expected a float32 table [V, D] and int32 ids, got [${table.shape}] and ${ids.dtype}`);
      const n = tf.util.sizeFromShape(ids.shape);
      const [v, d] = table.shape;
      return onHeap(backend, [table, ids], [n, d], (h, o) => addon.gatherRows(h, o[0], o[1], o[2], n, d, v));
    },
  });
  tf.registerKernel({
    kernelName: K.rope,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, cos, sin } = inputs as Record<string, tf.TensorInfo>;
      checkFloat(K.rope, [x, cos, sin]);
      const hd = (attrs as { headDim: number }).headDim;
      const rows = tf.util.sizeFromShape(cos.shape) / hd;
      if (!Number.isInteger(rows) || tf.util.sizeFromShape(sin.shape) !== rows * hd) throw new Error(`${K.rope}: tables [${cos.shape}], [${sin.shape}] are not rows of ${hd}`);
      return onHeap(backend, [x, cos, sin], x.shape, (h, o) => addon.ropeRows(h, o[0], o[1], o[2], o[3], x.shape[0], x.shape[1], hd, rows));
    },
  });
  tf.registerKernel({
    kernelName: K.attend,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { q, k, v, kp, vp, ke, ve, ranges } = inputs as Record<string, tf.TensorInfo>;
      checkFloat(K.attend, [q, k, v, kp, vp, ke, ve]);
      if (ranges.dtype !== "int32" || ranges.shape.length !== 2 || ranges.shape[1] !== 2) throw new Error(`${K.attend}: ranges must be int32 [R, 2], got ${ranges.dtype} [${ranges.shape}]`);
      const a = attrs as unknown as ScoreAttentionDims & { prefix: number; extra: boolean };
      const dims = [a.batch, a.queries, a.own, a.prefix, a.heads, a.kvHeads, a.headDim, ranges.shape[0], a.extra ? 1 : 0];
      return onHeap(backend, [q, k, v, kp, vp, ke, ve, ranges], [a.batch * a.queries, a.heads * a.headDim], (h, o) => addon.attend(h, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], ...dims));
    },
  });
}

const SCORING: ScoringKernels = {
  mlpResidual: (h, gate, up, down, eps) => tf.engine().runKernel(K.mlp, { h, wg: gate, wu: up, wd: down }, { eps }) as tf.Tensor2D,
  gatherRows: (table, ids) => tf.engine().runKernel(K.gather, { table, ids }, {}) as tf.Tensor2D,
  ropeRows: (x, cos, sin, headDim) => tf.engine().runKernel(K.rope, { x, cos, sin }, { headDim }) as tf.Tensor2D,
  attend(q, own, prefix, extra, ranges, dims) {
    const p = prefix ? tf.util.sizeFromShape(prefix.k.shape) / (dims.kvHeads * dims.headDim) : 0;
    const inputs = { q, k: own.k, v: own.v, kp: prefix?.k ?? q, vp: prefix?.v ?? q, ke: extra?.k ?? q, ve: extra?.v ?? q, ranges };
    return tf.engine().runKernel(K.attend, inputs, { ...dims, prefix: p, extra: extra !== undefined } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  },
};

let state: "unknown" | "registered" | "absent" = "unknown";
let on = process.env.HEPLLM_NATIVE_SCORE !== "0";

/** Switches the scoring kernels on or off (benchmarks and tests compare the two; HEPLLM_NATIVE_SCORE=0: off); returns the previous setting. */
export function useScoringKernels(use: boolean): boolean {
  const was = on;
  on = use;
  return was;
}

/** The scoring kernels while the native kernels are active, switched on, and the addon has them; undefined otherwise. */
export function nativeScoring(): ScoringKernels | undefined {
  if (!on || state === "absent" || !nativeKernelsActive()) return undefined;
  if (state === "unknown") {
    const a = loadNativeAddon() as unknown as Partial<ScoreAddon> | undefined;
    // An addon built before native/score.cc has none; a threaded (shared) heap is not supported.
    const heap = (tf.findBackend("wasm") as unknown as Heap | null)?.wasm.HEAPU8.buffer;
    if (!a || typeof a.attend !== "function" || typeof a.ropeRows !== "function" || typeof a.gatherRows !== "function" || typeof a.mlpResidual !== "function" || !(heap instanceof ArrayBuffer)) {
      state = "absent";
      return undefined;
    }
    register(a as ScoreAddon);
    state = "registered";
  }
  return SCORING;
}
