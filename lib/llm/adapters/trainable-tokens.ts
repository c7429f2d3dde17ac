/**
 * PEFT's trainable tokens (LoraConfig `trainable_token_indices`): chosen rows of the embedding
 * table are trained as their own parameter and *replace* the base rows wherever the ids occur.
 * PEFT's tensor is called `trainable_tokens_delta` but holds the rows themselves (it
 * `index_copy`s them into the weight), so the result does not depend on how a resize
 * initialised the base rows. A tied output head uses the same rows for those ids' logits; an
 * untied head keeps its own rows (saved, not trained here).
 *
 * Saved beside the LoRA weights in adapter_model.safetensors, as PEFT 0.21 writes them:
 *   base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta  [n, D]
 *   base_model.model.lm_head.token_adapter.trainable_tokens_delta             [n, D]
 * (for a tied head both hold the same rows), with adapter_config.json
 * `"trainable_token_indices": [ids]` (tied head) or `{"embed_tokens": ids, "lm_head": ids}` (untied).
 */
import * as tf from "@tensorflow/tfjs";
import { LM } from "../model/decoder";
import { resizeVocabulary, tokenRow, TokenRows } from "../model/resize-vocab";
import { SafetensorsFile, TensorToWrite } from "../io/safetensors";

export const EMBED_ROWS = "base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta";
export const HEAD_ROWS = "base_model.model.lm_head.token_adapter.trainable_tokens_delta";
/** Full resized tables PEFT also writes when the vocabulary grew; hepllm rebuilds them from the base model instead. */
export const RESIZED_TABLES = ["base_model.model.model.embed_tokens.token_adapter.base_layer.weight", "base_model.model.lm_head.token_adapter.base_layer.weight"];

/** adapter_config.json `trainable_token_indices`, parsed: the embedding's ids and (untied form) the head's. */
export interface TokenIndices {
  embed: number[];
  head?: number[];
}

/** Reads `trainable_token_indices` (a list of ids, or {"embed_tokens": ids, "lm_head": ids}); errors name the file. */
export function parseTokenIndices(v: unknown, file: string): TokenIndices {
  const ids = (x: unknown, what: string): number[] => {
    if (!Array.isArray(x) || x.length === 0 || !x.every((i) => Number.isInteger(i) && i >= 0)) throw new Error(`${file}: field ${what} must be a non-empty list of token ids, got ${JSON.stringify(x)}`);
    if (new Set(x).size !== x.length) throw new Error(`${file}: field ${what} lists a token id twice`);
    return x as number[];
  };
  if (Array.isArray(v)) return { embed: ids(v, "trainable_token_indices") };
  if (typeof v !== "object" || v === null) throw new Error(`${file}: field trainable_token_indices must be a list or an object, got ${JSON.stringify(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "embed_tokens" && k !== "lm_head") throw new Error(`${file}: field trainable_token_indices names the layer ${JSON.stringify(k)}; hepllm implements embed_tokens and lm_head`);
  }
  if (o.embed_tokens === undefined) throw new Error(`${file}: field trainable_token_indices has no embed_tokens list`);
  const out: TokenIndices = { embed: ids(o.embed_tokens, "trainable_token_indices.embed_tokens") };
  if (o.lm_head !== undefined) out.head = ids(o.lm_head, "trainable_token_indices.lm_head");
  if (out.head && out.head.join(",") !== out.embed.join(",")) throw new Error(`${file}: field trainable_token_indices lists different ids for embed_tokens and lm_head; hepllm implements the same ids for both`);
  return out;
}

export class TrainableTokens {
  readonly ids: number[];
  /** The embedding rows [n, D] (a tied head's rows too); trained. */
  readonly rows: tf.Variable;
  /** An untied head's rows [n·D] (fixed; written into the model's head). */
  headRows: Float32Array | undefined;
  readonly tied: boolean;
  private readonly dim: number;

  /** Starts from the model's current rows (PEFT's init_weights=True). */
  constructor(model: LM, ids: number[]) {
    if (ids.length === 0) throw new Error("trainable tokens: no token ids");
    this.ids = [...ids];
    this.dim = model.config.hiddenSize;
    this.tied = model.config.tieWordEmbeddings;
    const rows = ids.map((id) => tokenRow(model, id));
    const flat = new Float32Array(ids.length * this.dim);
    rows.forEach((r, k) => flat.set(r.embed, k * this.dim));
    this.rows = tf.tidy(() => tf.variable(tf.tensor2d(flat, [ids.length, this.dim]), true));
    if (!this.tied) {
      this.headRows = new Float32Array(ids.length * this.dim);
      rows.forEach((r, k) => this.headRows!.set(r.head, k * this.dim));
    }
  }

  variables(): tf.Variable[] {
    return [this.rows];
  }

  /** One-hot [N, n]: which of the flat ids is which trainable token (undefined when none occurs). */
  private selection(flatIds: ArrayLike<number>): tf.Tensor2D | undefined {
    const n = this.ids.length;
    const sel = new Float32Array(flatIds.length * n);
    let any = false;
    for (let i = 0; i < flatIds.length; i++) {
      const k = this.ids.indexOf(flatIds[i]);
      if (k >= 0) {
        sel[i * n + k] = 1;
        any = true;
      }
    }
    return any ? tf.tensor2d(sel, [flatIds.length, n]) : undefined;
  }

  /** Token embeddings [B, T, D] of ids [B, T] with the trainable rows in place (differentiable in the rows). */
  embed(model: LM, ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const base = model.embed(ids);
      const sel = this.selection(ids.dataSync());
      if (!sel) return base;
      const [b, t, d] = base.shape;
      const keep = tf.scalar(1).sub(sel.sum(1, true)); // [B·T, 1]: 0 where a trainable row replaces the base row
      return base.reshape([b * t, d]).mul(keep).add(tf.matMul(sel, this.rows)).reshape([b, t, d]) as tf.Tensor3D;
    });
  }

  /** Logits [N, V] from final hidden states h [N, D]; a tied head's columns for the ids are h·rowsᵀ (differentiable). */
  logits(model: LM, h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = model.lmHead(h) as tf.Tensor2D;
      if (!this.tied) return y;
      const v = model.config.vocabSize;
      const pick = this.selection(Array.from({ length: v }, (_, i) => i))!.transpose(); // [n, V]
      const keep = tf.scalar(1).sub(pick.sum(0, true)); // [1, V]
      return y.mul(keep).add(tf.matMul(tf.matMul(h, this.rows, false, true), pick)) as tf.Tensor2D;
    });
  }

  /** Writes the rows into the model's frozen tables (embedding, and the head), so plain forward passes use them. */
  merge(model: LM): void {
    const d = this.dim;
    const data = this.rows.dataSync() as Float32Array;
    const rows: TokenRows = new Map();
    this.ids.forEach((id, k) => rows.set(id, { embed: data.slice(k * d, k * d + d), head: this.headRows?.slice(k * d, k * d + d) }));
    resizeVocabulary(model, model.config.vocabSize, rows);
  }

  /** adapter_config.json's `trainable_token_indices`. */
  configValue(): number[] | Record<string, number[]> {
    return this.tied ? [...this.ids] : { embed_tokens: [...this.ids], lm_head: [...this.ids] };
  }

  /** The tensors for adapter_model.safetensors. */
  tensors(): Record<string, TensorToWrite> {
    const shape = [this.ids.length, this.dim];
    const embed = (this.rows.dataSync() as Float32Array).slice();
    return {
      [EMBED_ROWS]: { dtype: "F32", shape, data: embed },
      [HEAD_ROWS]: { dtype: "F32", shape, data: this.headRows ? this.headRows.slice() : embed.slice() },
    };
  }

  /** Reads the rows from an adapter file (the ids must match). */
  load(st: SafetensorsFile, file: string, indices: TokenIndices): void {
    if (indices.embed.join(",") !== this.ids.join(",")) throw new Error(`${file}: trainable_token_indices are [${indices.embed}], this model trains [${this.ids}]`);
    const read = (name: string): Float32Array => {
      if (!st.tensors.has(name)) throw new Error(`${file}: missing tensor ${JSON.stringify(name)}`);
      const info = st.info(name);
      if (info.shape.join(",") !== `${this.ids.length},${this.dim}`) throw new Error(`${file}: tensor ${JSON.stringify(name)} has shape [${info.shape}], expected [${this.ids.length}, ${this.dim}]`);
      return st.readFloat32(name);
    };
    const embed = read(EMBED_ROWS);
    tf.tidy(() => this.rows.assign(tf.tensor2d(embed, [this.ids.length, this.dim])));
    // PEFT reads the untied head's own rows only when the config names lm_head; a tied head follows the embedding.
    if (!this.tied && indices.head && st.tensors.has(HEAD_ROWS)) this.headRows = read(HEAD_ROWS);
  }

  dispose(): void {
    this.rows.dispose();
  }
}

/**
 * Applies an adapter file's trainable tokens to a model as PEFT's loader does: the vocabulary
 * grows to `vocabSize` (AutoPeftModelForCausalLM's resize to the adapter folder's tokenizer)
 * when an id lies beyond it, then the rows are written into the tables.
 */
export function applyTokenRows(model: LM, st: SafetensorsFile, file: string, indices: TokenIndices, vocabSize: number): void {
  const need = Math.max(vocabSize, ...indices.embed.map((i) => i + 1));
  if (need > model.config.vocabSize) resizeVocabulary(model, need);
  const tokens = new TrainableTokens(model, indices.embed);
  try {
    tokens.load(st, file, indices);
    tokens.merge(model);
  } finally {
    tokens.dispose();
  }
}
