/**
 * Growing a model's vocabulary for added tokens, as transformers' `resize_token_embeddings` does,
 * and writing chosen rows of the embedding table (and output head) in place.
 *
 * New rows of E [V, D] (and of an untied lm_head [V, D]) start at the mean of the old rows:
 * transformers' default `mean_resizing=True` samples them from N(mean, 1e-9·Σ), whose spread
 * (~3e-5 of the rows' own spread) we leave out so the result is deterministic. A tied head
 * follows the table. The model is changed in place, so every holder of it sees the new
 * vocabulary (PEFT resizes the module in place too).
 */
import { Decoder, LM } from "./decoder";
import { Embedding } from "./embedding";
import { Linear } from "./linear";
import { ModelConfig } from "./config";

/** Rows to write: token id → embedding row [D] (and, for an untied head, its head row [D]). */
export type TokenRows = Map<number, { embed: Float32Array; head?: Float32Array }>;

function asDecoder(model: LM): Decoder {
  if (!(model instanceof Decoder)) throw new Error("resizing the vocabulary needs a hepllm Decoder");
  return model;
}

/** Mean of the rows of a [V, D] table, [D]. */
function meanRow(table: Float32Array, v: number, d: number): Float32Array {
  const sum = new Float64Array(d);
  for (let i = 0; i < v; i++) for (let j = 0; j < d; j++) sum[j] += table[i * d + j];
  return Float32Array.from(sum, (s) => s / v);
}

/** [V, D] → [newV, D]: old rows kept, new rows the mean, then `rows` written. */
function grownTable(old: Float32Array, v: number, newV: number, d: number, rows: Array<[number, Float32Array | undefined]>): Float32Array {
  const out = new Float32Array(newV * d);
  out.set(old.subarray(0, Math.min(v, newV) * d));
  if (newV > v) {
    const mean = meanRow(old, v, d);
    for (let i = v; i < newV; i++) out.set(mean, i * d);
  }
  for (const [id, row] of rows) {
    if (!row) continue;
    if (!(Number.isInteger(id) && id >= 0 && id < newV)) throw new Error(`token row ${id} is outside the vocabulary (0..${newV - 1})`);
    if (row.length !== d) throw new Error(`token row ${id} has ${row.length} values, the model's hidden size is ${d}`);
    out.set(row, id * d);
  }
  return out;
}

/**
 * Sets the vocabulary size to `newSize` (≥ the current one) and writes `rows` into the embedding
 * table and the head (a tied head takes the embedding row; an untied head its `head` row, if given).
 */
export function resizeVocabulary(model: LM, newSize: number, rows: TokenRows = new Map()): void {
  const m = asDecoder(model);
  const cfg = m.config;
  const { vocabSize: v, hiddenSize: d } = cfg;
  if (!(Number.isInteger(newSize) && newSize >= v)) throw new Error(`vocabulary size ${newSize}: can only grow the model's ${v} tokens`);
  if (newSize === v && rows.size === 0) return;
  const lowMemory = m.embedding.lowMemory;
  const table = grownTable(m.embedding.table(), v, newSize, d, [...rows].map(([id, r]) => [id, r.embed]));
  const embedding = new Embedding(table, newSize, d, lowMemory);
  const headOI = cfg.tieWordEmbeddings ? table : grownTable(m.head.weightOI(), v, newSize, d, [...rows].map(([id, r]) => [id, r.head]));
  const head = new Linear("lm_head", d, newSize, headOI, { lowMemory: m.head.lowMemory });
  m.head.dispose();
  // Swap the vocabulary-sized parts in place (the fields are readonly to callers, not to this resize).
  const mutable = m as { -readonly [K in "config" | "embedding" | "head"]: Decoder[K] };
  mutable.config = { ...cfg, vocabSize: newSize } as ModelConfig;
  mutable.embedding = embedding;
  mutable.head = head;
}

/** Row `id` of the embedding table [D] and of the head [D] (host copies). */
export function tokenRow(model: LM, id: number): { embed: Float32Array; head: Float32Array } {
  const m = asDecoder(model);
  const d = m.config.hiddenSize;
  if (!(Number.isInteger(id) && id >= 0 && id < m.config.vocabSize)) throw new Error(`token id ${id} is outside the vocabulary (0..${m.config.vocabSize - 1})`);
  const embed = m.embedding.table().slice(id * d, id * d + d);
  const head = m.config.tieWordEmbeddings ? embed.slice() : m.head.weightOI().slice(id * d, id * d + d);
  return { embed, head };
}
