/**
 * The LoRA training step that `npm run bench:train` times: forward on a fixed batch of token ids,
 * cross-entropy (next-token on every position, or the answer token after the prompt only),
 * gradients with respect to the LoRA tensors only, and one AdamW update; the loss is read back
 * to the host, as a training loop does to log it. bench/reference/lora_step.py is the same step
 * in PyTorch.
 */
import * as tf from "@tensorflow/tfjs";
import { applyLora, Decoder, initModel, LoraAdapter, LoraTarget, ModelConfig, PRESETS } from "../lib/llm";
import { AdamW } from "../lib/train/adamw";
import { Rng } from "../lib/util/rng";

/** One benchmark case: model shape, batch and loss. */
export interface BenchCase {
  name: string;
  model: ModelConfig;
  /** Rows per batch. */
  batch: number;
  /** Tokens per row. */
  seqLen: number;
  /** "all": next-token loss at T−1 positions per row; "answer": the last position only. */
  loss: "all" | "answer";
  lora: { r: number; alpha: number; targets: LoraTarget[] };
  /** AdamW learning rate and decoupled weight decay (same in both frameworks). */
  lr: number;
  weightDecay: number;
}

/** The demo's model: the `small` shape with hepllm's own ~1k-token vocabulary and no window. */
export const DEMO_MODEL: ModelConfig = { ...PRESETS.small, vocabSize: 1024, slidingWindow: null };

const common = { batch: 4, seqLen: 128, lora: { r: 8, alpha: 16, targets: ["q_proj", "k_proj", "v_proj", "o_proj"] as LoraTarget[] }, lr: 1e-3, weightDecay: 0.01 };

export const CASES: BenchCase[] = [
  { name: "demo-1k", model: DEMO_MODEL, loss: "all", ...common },
  { name: "small-32k", model: PRESETS.small, loss: "all", ...common },
  { name: "small-32k-answer", model: PRESETS.small, loss: "answer", ...common },
];

/** Token ids [B][T] (avoiding the special ids 0–2) and, for "answer", one target id per row. */
export function benchBatch(c: BenchCase, seed = 1): { ids: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const ids = Array.from({ length: c.batch }, () => Array.from({ length: c.seqLen }, () => 3 + rng.int(c.model.vocabSize - 3)));
  const labels = ids.map(() => 3 + rng.int(c.model.vocabSize - 3));
  return { ids, labels };
}

/**
 * Mean cross-entropy of logits [N, V] against `labels` [N], rows weighted by `weights` (0 drops
 * a row): Σ wᵢ(−log pᵢ[yᵢ]) / Σ wᵢ. One softmax kernel forward; the gradient (p − onehot(y))·wᵢ/Σw
 * is p scaled by row, then the N label entries overwritten (no [N, V] one-hot is built).
 * −log p is clamped at p = 1e-30 (the gradient is exact regardless).
 */
export function crossEntropy(logits: tf.Tensor2D, labels: Int32Array, weights: Float32Array): tf.Scalar {
  const [n, v] = logits.shape;
  let total = 0;
  for (const w of weights) total += w;
  const flat = new Int32Array(n);
  const at = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    flat[i] = i * v + labels[i];
    at[2 * i] = i;
    at[2 * i + 1] = labels[i];
  }
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const p = tf.softmax(z);
    const picked = tf.gather(p.reshape([n * v]), tf.tensor1d(flat, "int32"));
    save([p, picked]);
    const w = tf.tensor1d(weights);
    return {
      value: tf.div(tf.sum(tf.mul(tf.neg(tf.log(tf.maximum(picked, 1e-30))), w)), total) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const rowScale = tf.mul(tf.tensor1d(weights), tf.div(dy, total)); // [N]
        const scaled = tf.mul(saved[0], rowScale.reshape([n, 1]));
        const atLabel = tf.mul(tf.sub(saved[1], 1), rowScale); // (p[y] − 1)·scale
        return [tf.tensorScatterUpdate(scaled, tf.tensor2d(at, [n, 2], "int32"), atLabel)];
      },
    };
  });
  return f(logits) as tf.Scalar;
}

/**
 * The frozen model with a fresh adapter, and the loss and LoRA gradients on rows
 * [rows[0], rows[1]) of the batch (all rows by default). `weight` is the shard's Σ wᵢ: a
 * data-parallel step averages shard gradients with these weights to get the full-batch mean.
 */
export interface Shard {
  model: Decoder;
  adapter: LoraAdapter;
  vars: tf.Variable[];
  weight: number;
  /** Loss and gradients (in `vars` order; the caller disposes them). */
  lossAndGrads(): { loss: number; grads: tf.Tensor[] };
  dispose(): void;
}

export function makeShard(c: BenchCase, rows: [number, number] = [0, c.batch], seed = 0): Shard {
  const model = initModel(c.model, seed);
  const adapter = applyLora(model, { r: c.lora.r, alpha: c.lora.alpha, dropout: 0, targetModules: c.lora.targets, seed });
  const vars = adapter.variables();
  const { ids: all, labels: allLabels } = benchBatch(c);
  const ids = all.slice(rows[0], rows[1]);
  const b = ids.length;
  const t = c.seqLen;
  const idsT = tf.keep(tf.tensor2d(ids, [b, t], "int32"));
  // "all": row (i, j) predicts ids[i][j+1]; the last position of each row has no target.
  const rowLabels = new Int32Array(c.loss === "all" ? b * t : b);
  const rowWeights = new Float32Array(rowLabels.length).fill(1);
  if (c.loss === "all") {
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < t; j++) {
        if (j + 1 < t) rowLabels[i * t + j] = ids[i][j + 1];
        else rowWeights[i * t + j] = 0;
      }
    }
  } else {
    rowLabels.set(allLabels.slice(rows[0], rows[1]));
  }
  const lossFn = (): tf.Scalar => {
    const logits = model.forward(idsT, { training: true, positions: c.loss === "answer" ? "last" : undefined });
    return crossEntropy(logits.reshape([-1, c.model.vocabSize]) as tf.Tensor2D, rowLabels, rowWeights);
  };
  return {
    model,
    adapter,
    vars,
    weight: rowWeights.reduce((a, x) => a + x, 0),
    lossAndGrads() {
      const { value, grads } = tf.variableGrads(lossFn, vars);
      const loss = value.dataSync()[0];
      value.dispose();
      return { loss, grads: vars.map((v) => grads[v.name]) };
    },
    dispose() {
      adapter.dispose();
      model.dispose();
      idsT.dispose();
    },
  };
}

/** A full training step (gradients + AdamW), single-threaded or data-parallel. */
export interface TfjsStep {
  model: Decoder;
  adapter: LoraAdapter;
  /** Threads doing the work. */
  threads: number;
  /** Runs one step; returns the loss. */
  step(): Promise<number>;
  dispose(): void;
}

export function makeTfjsStep(c: BenchCase, seed = 0): TfjsStep {
  const shard = makeShard(c, [0, c.batch], seed);
  const opt = new AdamW([{ name: "lora", variables: shard.vars, lrScale: 1, weightDecay: c.weightDecay }]);
  return {
    model: shard.model,
    adapter: shard.adapter,
    threads: 1,
    async step() {
      const { loss, grads } = shard.lossAndGrads();
      opt.apply(new Map(shard.vars.map((v, i) => [v, grads[i]] as [tf.Variable, tf.Tensor])), c.lr);
      tf.dispose(grads);
      return loss;
    },
    dispose() {
      opt.dispose();
      shard.dispose();
    },
  };
}

/**
 * Multiply-add FLOPs (2·M·K·N per product) of one step's matrix products as the PyTorch
 * reference does them (tfjs's answer-only forward also skips the last layer's other rows, so it
 * does a little less): every projection forward; backward, dX through every frozen projection on the
 * path from the loss to the first LoRA tensor (all but layer 0's q/k/v inputs); attention
 * scores and P·V forward, four products of the same size backward; the output head forward and
 * dX. LoRA's rank-r products and elementwise work are left out (≈1%).
 */
export function stepFlops(c: BenchCase): number {
  const { hiddenSize: d, intermediateSize: inter, numHeads: h, numKvHeads: kv, headDim: hd, vocabSize: v, numLayers: layers } = c.model;
  const n = c.batch * c.seqLen;
  const t = c.seqLen;
  const q = 2 * n * d * h * hd;
  const kvp = 2 * 2 * n * d * kv * hd;
  const o = 2 * n * h * hd * d;
  const mlp = 3 * 2 * n * d * inter;
  const attn = 2 * (2 * c.batch * h * t * t * hd);
  const perLayerFwd = q + kvp + o + mlp + attn;
  const perLayerBwd = q + kvp + o + mlp + 2 * attn;
  const head = 2 * (c.loss === "all" ? n : c.batch) * d * v;
  return layers * (perLayerFwd + perLayerBwd) - (q + kvp) + 2 * head;
}
