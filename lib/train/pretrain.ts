/**
 * Pre-training a small base model on event descriptions, so the demo works offline with a model
 * hepllm made itself: a randomly initialised Mistral-architecture decoder learns the language of
 * the prompts (the layout, which numbers follow which names, their typical ranges) by next-token
 * prediction over prompt text — no labels, so the fine-tuning stage alone sees the answers.
 *
 * The frozen-weight decoder is trained through a high-rank LoRA on every projection, which is
 * then baked into the base weights (ReLoRA-style); the embeddings and output head stay at their
 * random initialisation, which a small vocabulary tolerates.
 */
import * as tf from "@tensorflow/tfjs";
import type { EventRecord } from "../jets/record";
import { applyLora, buildDecoder, Decoder, LM, LORA_TARGETS, ModelConfig } from "../llm";
import { encodePromptText, formatPrompt, PromptOptions } from "../prompts";
import type { Tokenizer } from "../tokenizer";
import { Progress } from "../util/progress";
import { Rng } from "../util/rng";
import { AdamW } from "./adamw";
import { learningRate } from "./schedule";
import { stepReads } from "./step";
import { HostReads, readAsync, readSync } from "../llm/kernels/read";

export interface PretrainConfig {
  /** Optimiser steps (each one batch of prompts). */
  steps: number;
  /** Prompts per step. */
  batchSize: number;
  /** Peak learning rate (high: the adapter starts from nothing and the run is short). */
  lr: number;
  /** Rank of the temporary adapter (high, so it can change the model substantially). */
  rank: number;
  /** Warm-up steps. */
  warmupSteps: number;
  /** Shuffling and adapter-initialisation seed. */
  seed: number;
  /** Prompt options (the same text the fine-tuning stage will show). */
  prompt: Partial<PromptOptions>;
}

export const DEFAULT_PRETRAIN: PretrainConfig = { steps: 150, batchSize: 8, lr: 3e-3, rank: 32, warmupSteps: 10, seed: 0, prompt: {} };

/**
 * A fresh base model whose frozen weights are worth adapting: projections ~ N(0, 1/in) (so each
 * layer transforms its input rather than passing it through, as the usual 0.02 does at small
 * widths), output projections further scaled by 1/√(2·layers) to keep the residual stream
 * bounded, unit-variance embeddings, and an output head ~ N(0, 1/D) so logits can become
 * confident (with a frozen 0.02 head, logit differences stay near ±1 and the loss cannot fall).
 */
export function initBaseModel(cfg: ModelConfig, seed: number): Decoder {
  const rng = new Rng(seed);
  return buildDecoder(cfg, (name, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    if (shape.length === 1) return out.fill(1); // RMSNorm gains
    const fanIn = shape[1];
    let std = 1 / Math.sqrt(fanIn);
    if (name.includes("embed_tokens")) std = 1;
    else if (name.includes("o_proj") || name.includes("down_proj")) std /= Math.sqrt(2 * cfg.numLayers);
    for (let i = 0; i < n; i++) out[i] = std * rng.normal();
    return out;
  });
}

/**
 * Mean next-token cross-entropy over the real tokens of left-padded sequences.
 * seqs: token ids per row (BOS first). Returns a scalar.
 */
export function causalLmLoss(model: LM, seqs: number[][], padId: number): tf.Scalar {
  const b = seqs.length;
  const t = Math.max(...seqs.map((s) => s.length));
  const ids: number[] = [];
  const mask: number[][] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  for (const s of seqs) {
    const pad = t - s.length;
    const row = [...new Array(pad).fill(padId), ...s];
    ids.push(...row);
    mask.push(row.map((_, j) => (j >= pad ? 1 : 0)));
    for (let j = 0; j < t - 1; j++) {
      targets.push(row[j + 1]);
      weights.push(j >= pad ? 1 : 0); // position j predicts j+1; both real when j >= pad
    }
  }
  const v = model.config.vocabSize;
  const positions = Array.from({ length: b }, () => Array.from({ length: t - 1 }, (_, j) => j));
  const logits = model.forward(tf.tensor2d(ids, [b, t], "int32"), { attentionMask: mask, positions });
  const logp = tf.logSoftmax(logits.reshape([b * (t - 1), v]));
  const picked = logp.mul(tf.oneHot(tf.tensor1d(targets, "int32"), v)).sum(1);
  const w = tf.tensor1d(weights);
  return picked.mul(w).sum().neg().div(w.sum()) as tf.Scalar;
}

/** Pre-trains `model` in place on the prompts of `records`; returns the loss of every step. Reads synchronously: not on webgpu (use pretrainAsync). */
export function pretrain(model: LM, tok: Tokenizer, records: EventRecord[], cfg: PretrainConfig): number[] {
  return readSync(pretrainReads(model, tok, records, cfg));
}

/** pretrain reading losses with `await data()`: runs on every backend, webgpu included. */
export function pretrainAsync(model: LM, tok: Tokenizer, records: EventRecord[], cfg: PretrainConfig): Promise<number[]> {
  return readAsync(pretrainReads(model, tok, records, cfg));
}

function* pretrainReads(model: LM, tok: Tokenizer, records: EventRecord[], cfg: PretrainConfig): HostReads<number[]> {
  if (records.length === 0) throw new Error("pretrain: no records");
  const seqs = records.map((r) => encodePromptText(tok, formatPrompt(r, cfg.prompt)));
  const adapter = applyLora(model, { r: cfg.rank, alpha: cfg.rank, dropout: 0, targetModules: [...LORA_TARGETS], seed: cfg.seed });
  const opt = new AdamW([{ name: "pretrain", variables: adapter.variables(), lrScale: 1, weightDecay: 0 }]);
  const rng = new Rng(cfg.seed);
  let order: number[] = [];
  const schedule = { lr: cfg.lr, warmupSteps: cfg.warmupSteps, totalSteps: cfg.steps, minRatio: 0.1 };
  const bar = new Progress({ label: "pretrain", total: cfg.steps, unit: "steps" });
  const losses: number[] = [];
  try {
    for (let step = 0; step < cfg.steps; step++) {
      if (order.length < cfg.batchSize) order = rng.shuffle(seqs.map((_, i) => i));
      const batch = order.splice(0, cfg.batchSize).map((i) => seqs[i]);
      const { loss } = yield* stepReads(opt, [() => causalLmLoss(model, batch, tok.padId)], learningRate(schedule, step), 1.0);
      losses.push(loss);
      bar.tick(1, `loss ${loss.toFixed(3)}`);
    }
    bar.finish(`loss ${losses[losses.length - 1].toFixed(3)}`);
    adapter.bake();
  } catch (err) {
    adapter.dispose();
    throw err;
  } finally {
    opt.dispose();
  }
  return losses;
}
