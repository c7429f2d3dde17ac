/**
 * The Mistral/Llama decoder: token embeddings → numLayers × [x + attn(norm(x)); x + mlp(norm(x))]
 * → final RMSNorm → output head. Activations are kept flat as [B·T, D] so that every
 * projection is one plain 2-D product; rotary tables and the attention bias are built once per
 * forward pass and shared by all layers.
 */
import * as tf from "@tensorflow/tfjs";
import { attention, AttentionContext, AttentionWeights } from "./attention";
import { ModelConfig } from "./config";
import { Embedding } from "./embedding";
import { KVCache } from "./kv-cache";
import { Linear } from "./linear";
import { attentionBias } from "./mask";
import { tapeActive } from "../kernels/matmul";
import { mlp, MlpWeights } from "./mlp";
import { rmsNorm } from "./rmsnorm";
import { recomputed } from "./recompute";
import { ropeTable } from "./rope";

export interface LayerWeights {
  inputNorm: tf.Tensor1D; // [D], before attention
  attn: AttentionWeights;
  postNorm: tf.Tensor1D; // [D], before the MLP
  mlp: MlpWeights;
}

export interface ForwardOptions {
  /** 1 for a token, 0 for (left) padding: [B, T], or [B, past + T] when continuing a cache. */
  attentionMask?: tf.Tensor2D | number[][];
  /** Cache to read past keys/values from and append this step's to. */
  cache?: KVCache;
  /** Precomputed input embeddings [B, T, D] (e.g. `embed(ids)` plus a fusion vector) used instead of the ids. */
  inputsEmbeds?: tf.Tensor3D;
  /** LoRA dropout on for this call (default: the model's `training` flag). */
  training?: boolean;
  /** Return logits only at these positions: per row a list (all rows the same length), or "last". */
  positions?: number[][] | "last";
}

/** What other modules need from a causal language model. */
export interface LM {
  readonly config: ModelConfig;
  /** Dropout (LoRA) on by default in forward passes. */
  training: boolean;
  /** Logits [B, T, V] (or [B, P, V] with `positions`). */
  forward(inputIds: tf.Tensor2D, opts?: ForwardOptions): tf.Tensor3D;
  /** Final-norm hidden states [B, T, D] (or [B, P, D] with `positions`). */
  hidden(inputIds: tf.Tensor2D, opts?: ForwardOptions): tf.Tensor3D;
  /** Output head: [..., D] → [..., V]. */
  lmHead(h: tf.Tensor): tf.Tensor;
  /** Token embeddings [B, T, D]. */
  embed(inputIds: tf.Tensor2D): tf.Tensor3D;
  /** Every projection, in layer order (q, k, v, o, gate, up, down), then the output head. */
  linears(): Linear[];
  dispose(): void;
}

export class Decoder implements LM {
  readonly config: ModelConfig;
  readonly embedding: Embedding;
  readonly layers: LayerWeights[];
  readonly norm: tf.Tensor1D;
  readonly head: Linear;
  /** Default for ForwardOptions.training. */
  training = false;
  /**
   * Recompute each layer in the backward pass instead of keeping its activations
   * (recompute.ts): on by default for low-memory models, where the wasm heap is the limit.
   */
  recomputeLayers = false;
  /** LoRA layers whose dropout seed this decoder draws (they had none): a fresh one per forward. */
  private autoSeeded = new Set<Linear>();

  constructor(config: ModelConfig, w: { embedding: Embedding; layers: LayerWeights[]; norm: tf.Tensor1D; head: Linear }) {
    this.config = config;
    this.embedding = w.embedding;
    this.layers = w.layers;
    this.norm = w.norm;
    this.head = w.head;
  }

  embed(inputIds: tf.Tensor2D): tf.Tensor3D {
    const [b, t] = inputIds.shape;
    return this.embedding.lookup(inputIds.dataSync()).reshape([b, t, this.config.hiddenSize]) as tf.Tensor3D;
  }

  forward(inputIds: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const h = this.hidden(inputIds, opts);
      const [b, p, d] = h.shape;
      return this.head.apply(h.reshape([b * p, d])).reshape([b, p, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  lmHead(h: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const d = this.config.hiddenSize;
      const lead = h.shape.slice(0, -1);
      return this.head.apply(h.reshape([-1, d]) as tf.Tensor2D).reshape([...lead, this.config.vocabSize]);
    });
  }

  hidden(inputIds: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const cfg = this.config;
    const [b, t] = inputIds.shape;
    const cache = opts.cache;
    const past = cache?.length ?? 0;
    const { keyMask, positions, nextPosition } = this.positionsAndMask(b, t, past, opts);
    const training = opts.training ?? this.training;
    for (const l of this.linears()) l.training = training;
    return tf.tidy(() => {
      let x: tf.Tensor2D;
      if (opts.inputsEmbeds) {
        const [eb, et, ed] = opts.inputsEmbeds.shape;
        if (eb !== b || et !== t || ed !== cfg.hiddenSize) throw new Error(`inputsEmbeds has shape [${opts.inputsEmbeds.shape}], expected [${b}, ${t}, ${cfg.hiddenSize}]`);
        x = opts.inputsEmbeds.reshape([b * t, cfg.hiddenSize]);
      } else {
        x = this.embedding.lookup(inputIds.dataSync());
      }
      const ctx: AttentionContext = {
        batch: b,
        queryLen: t,
        heads: cfg.numHeads,
        kvHeads: cfg.numKvHeads,
        headDim: cfg.headDim,
        ropeQ: ropeTable(positions, cfg.headDim, cfg.ropeTheta, 1 / Math.sqrt(cfg.headDim)),
        ropeK: ropeTable(positions, cfg.headDim, cfg.ropeTheta),
        bias: attentionBias(b, t, past, keyMask, cfg.slidingWindow),
        cache,
        layer: 0,
      };
      // With `positions`, the last layer computes queries, MLP and norm only for the selected rows
      // (its other rows feed nothing): one layer's worth of work saved.
      const rows = opts.positions === undefined ? undefined : opts.positions === "last" ? Array.from({ length: b }, () => [t - 1]) : opts.positions;
      const flat = rows ? flatRows(rows, t) : undefined;
      const last = this.layers.length - 1;
      // One layer: x [B·T, D] → [B·T, D] (or [B·P, D] for the last layer with `positions`). The
      // tensors it shares with the other layers come in `sh` so that a replay (recompute.ts) can
      // be handed the engine's saved copies: [ropeQ.cos, ropeQ.sin, ropeK.cos, ropeK.sin, bias].
      const layerFn = (i: number, prev: tf.Tensor2D, sh: tf.Tensor[]): tf.Tensor2D => {
        const layer = this.layers[i];
        const c: AttentionContext = { ...ctx, ropeQ: { cos: sh[0] as tf.Tensor3D, sin: sh[1] as tf.Tensor3D }, ropeK: { cos: sh[2] as tf.Tensor3D, sin: sh[3] as tf.Tensor3D }, bias: sh[4], layer: i };
        const xn = rmsNorm(prev, layer.inputNorm, cfg.rmsNormEps);
        let h: tf.Tensor2D;
        if (flat && i === last) {
          const sel = Array.from(flat, (r) => positions[r]);
          const only = { x: gatherRows(xn, flat), len: rows![0].length, rope: ropeTable(sel, cfg.headDim, cfg.ropeTheta, 1 / Math.sqrt(cfg.headDim)), bias: attentionBias(b, t, past, keyMask, cfg.slidingWindow, rows) };
          h = tf.add(gatherRows(prev, flat), attention(xn, layer.attn, c, only)) as tf.Tensor2D;
        } else {
          h = tf.add(prev, attention(xn, layer.attn, c)) as tf.Tensor2D;
        }
        return tf.add(h, mlp(rmsNorm(h, layer.postNorm, cfg.rmsNormEps), layer.mlp)) as tf.Tensor2D;
      };
      const shared = [ctx.ropeQ.cos, ctx.ropeQ.sin, ctx.ropeK.cos, ctx.ropeK.sin, ctx.bias];
      const replay = this.recomputeLayers && !cache && tapeActive();
      if (replay) this.seedDropout();
      this.layers.forEach((layer, i) => {
        const prev = x;
        if (replay) {
          const vars = [layer.attn.q, layer.attn.k, layer.attn.v, layer.attn.o, layer.mlp.gate, layer.mlp.up, layer.mlp.down].flatMap((l) => (l.lora ? [l.lora.a, l.lora.b] : []));
          x = recomputed((xi, sh) => tf.tidy(() => layerFn(i, xi, sh)), prev, shared, vars);
        } else {
          x = tf.tidy(() => layerFn(i, prev, shared));
        }
      });
      if (cache) {
        cache.keyMask = keyMask ?? Array.from({ length: b }, () => new Uint8Array(past + t).fill(1));
        cache.nextPosition = nextPosition;
        cache.length = past + t;
      }
      const p = rows ? rows[0].length : t;
      return rmsNorm(x, this.norm, cfg.rmsNormEps).reshape([b, p, cfg.hiddenSize]) as tf.Tensor3D;
    });
  }

  /**
   * Key mask over all S = past + T positions (undefined when nothing is padded) and the rotary
   * position of each new token: HF's cumsum(mask) − 1, continued from the cache.
   */
  private positionsAndMask(b: number, t: number, past: number, opts: ForwardOptions): { keyMask: Uint8Array[] | undefined; positions: Int32Array; nextPosition: number[] } {
    const cache = opts.cache;
    if (cache && past > 0 && cache.nextPosition.length !== b) throw new Error(`KV cache holds ${cache.nextPosition.length} rows but the input has ${b}`);
    let keyMask: Uint8Array[] | undefined;
    const m = opts.attentionMask;
    if (m !== undefined) {
      const rows = Array.isArray(m) ? m : (m.arraySync() as number[][]);
      if (rows.length !== b) throw new Error(`attentionMask has ${rows.length} rows, input has ${b}`);
      const width = rows[0]?.length ?? 0;
      if (width !== t && width !== past + t) throw new Error(`attentionMask width ${width} must be T=${t} or past+T=${past + t}`);
      keyMask = rows.map((r, i) => {
        const full = new Uint8Array(past + t);
        if (width === t) {
          if (past > 0) full.set(cache!.keyMask[i]);
          for (let j = 0; j < t; j++) full[past + j] = r[j] ? 1 : 0;
        } else {
          for (let j = 0; j < past + t; j++) full[j] = r[j] ? 1 : 0;
        }
        return full;
      });
    } else if (cache && past > 0 && cache.keyMask.some((r) => r.includes(0))) {
      keyMask = cache.keyMask.map((r) => {
        const full = new Uint8Array(past + t).fill(1);
        full.set(r);
        return full;
      });
    }
    const positions = new Int32Array(b * t);
    const nextPosition: number[] = [];
    for (let i = 0; i < b; i++) {
      let p = past > 0 ? cache!.nextPosition[i] : 0;
      for (let j = 0; j < t; j++) {
        const real = keyMask === undefined || keyMask[i][past + j] === 1;
        positions[i * t + j] = real ? p : Math.max(p, 1); // padding: any position, it is masked out
        if (real) p++;
      }
      nextPosition.push(p);
    }
    return { keyMask, positions, nextPosition };
  }

  /**
   * A replayed layer must draw the dropout masks of its first run: every LoRA layer with dropout
   * needs a seed. Layers the trainer seeds (per micro-batch) keep theirs; the others get a fresh
   * one per forward pass.
   */
  private seedDropout(): void {
    for (const l of this.linears()) {
      if (!l.lora || l.lora.dropout <= 0) continue;
      if (l.lora.seed !== undefined && !this.autoSeeded.has(l)) continue;
      l.lora.seed = Math.floor(Math.random() * 2 ** 31);
      this.autoSeeded.add(l);
    }
  }

  linears(): Linear[] {
    const out: Linear[] = [];
    for (const l of this.layers) out.push(l.attn.q, l.attn.k, l.attn.v, l.attn.o, l.mlp.gate, l.mlp.up, l.mlp.down);
    out.push(this.head);
    return out;
  }

  dispose(): void {
    for (const l of this.linears()) l.dispose();
    for (const l of this.layers) {
      l.inputNorm.dispose();
      l.postNorm.dispose();
    }
    this.norm.dispose();
  }
}

/** Flat row indices b·T + j of per-row positions (all rows the same count, each in 0..T−1). */
function flatRows(positions: number[][], t: number): number[] {
  const p = positions[0]?.length ?? 0;
  const flat: number[] = [];
  positions.forEach((row, i) => {
    if (row.length !== p) throw new Error("positions: every row must list the same number of positions");
    for (const j of row) {
      if (!(Number.isInteger(j) && j >= 0 && j < t)) throw new Error(`position ${j} is outside 0..${t - 1}`);
      flat.push(i * t + j);
    }
  });
  return flat;
}

/**
 * Rows `rows` of x [N, D] → [R, D]. Forward is a gather; the gradient scatters back with a
 * one-hot product (the wasm backend has no gather gradient).
 */
export function gatherRows(x: tf.Tensor2D, rows: number[]): tf.Tensor2D {
  const n = x.shape[0];
  const idx = (): tf.Tensor1D => tf.tensor1d(rows, "int32");
  if (!tapeActive()) return tf.tidy(() => tf.gather(x, idx()));
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.gather(args[0] as tf.Tensor2D, idx()),
    gradFunc: (dy: tf.Tensor) => {
      const oneHotT = new Float32Array(n * rows.length); // [N, R]
      rows.forEach((r, k) => (oneHotT[r * rows.length + k] = 1));
      return [tf.matMul(tf.tensor2d(oneHotT, [n, rows.length]), dy as tf.Tensor2D)];
    },
  }));
  return f(x) as tf.Tensor2D;
}

/** h [B, T, D] → [B, P, D] at the given positions of each row (differentiable). */
export function selectPositions(h: tf.Tensor3D, positions: number[][]): tf.Tensor3D {
  const [b, t, d] = h.shape;
  const p = positions[0]?.length ?? 0;
  return tf.tidy(() => gatherRows(h.reshape([b * t, d]), flatRows(positions, t)).reshape([b, p, d]) as tf.Tensor3D);
}
