/**
 * Trainable token rows (PEFT's trainable_token_indices) and vocabulary growth, against models whose
 * weight tables hold the rows directly (built independently, not through the code under test):
 * - growing the vocabulary adds rows equal to the mean of the old rows (hand-computed) and leaves
 *   the old logits alone;
 * - the trainable rows replace the base rows in the input and, with a tied head, in the output:
 *   the same logits as a model whose table holds the rows; an untied head keeps its rows;
 * - saved with the LoRA adapter and read back by loadAdapter (growing a model that lacks the id);
 * - bad `trainable_token_indices` are refused naming the field.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { useWasm } from "../../support/backend";
import { applyLora, loadAdapter } from "../../../lib/llm";
import { readLoraConfig } from "../../../lib/llm/adapters/lora";
import { parseTokenIndices, TrainableTokens } from "../../../lib/llm/adapters/trainable-tokens";
import { ModelConfig } from "../../../lib/llm/model/config";
import { Decoder } from "../../../lib/llm/model/decoder";
import { buildDecoder } from "../../../lib/llm/model/model";
import { resizeVocabulary } from "../../../lib/llm/model/resize-vocab";
import { Rng } from "../../../lib/util/rng";
import { maxAbsDiff, tempDir, TINY_MISTRAL } from "../support";

before(useWasm);

const V = TINY_MISTRAL.vocabSize;
const D = TINY_MISTRAL.hiddenSize;

/** A random model (as randomModel) whose embedding rows `rows` are set to the given values. */
function build(cfg: ModelConfig, seed: number, rows: Map<number, Float32Array> = new Map(), opts: { lowMemory?: boolean } = {}): Decoder {
  const rng = new Rng(seed);
  return buildDecoder(cfg, (name, shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = shape.length === 1 ? 1 + 0.1 * rng.normal() : 0.15 * rng.normal();
    if (name === "model.embed_tokens.weight") for (const [id, r] of rows) out.set(r, id * cfg.hiddenSize);
    return out;
  }, opts);
}

const randomRow = (seed: number): Float32Array => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: D }, () => 0.5 * rng.normal());
};

const forward = (m: Decoder, ids: number[][]): number[][][] => tf.tidy(() => m.forward(tf.tensor2d(ids, undefined, "int32")).arraySync());

/** Logits through the trainable rows (the classifier's training path): hidden(embed with rows) → head with rows. */
function viaTokens(m: Decoder, tokens: TrainableTokens, ids: number[][]): number[][][] {
  return tf.tidy(() => {
    const idT = tf.tensor2d(ids, undefined, "int32");
    const h = m.hidden(idT, { inputsEmbeds: tokens.embed(m, idT) });
    const [b, t] = h.shape;
    return tokens.logits(m, h.reshape([b * t, D])).reshape([b, t, -1]).arraySync() as number[][][];
  });
}

test("growing the vocabulary adds mean rows (embedding and untied head) and keeps the old logits", () => {
  const m = build(TINY_MISTRAL, 1);
  const ids = [[1, 5, 9, 3]];
  const before = forward(m, ids);
  const table = m.embedding.table().slice();
  const head = m.head.weightOI().slice();
  resizeVocabulary(m, V + 2);
  assert.equal(m.config.vocabSize, V + 2);
  const grown = m.embedding.table();
  const grownHead = m.head.weightOI();
  for (const [old, now] of [[table, grown], [head, grownHead]]) {
    for (let j = 0; j < D; j++) {
      let mean = 0;
      for (let i = 0; i < V; i++) mean += old[i * D + j] / V;
      for (const id of [V, V + 1]) assert.ok(Math.abs(now[id * D + j] - mean) < 1e-6, `row ${id} col ${j}: ${now[id * D + j]} vs mean ${mean}`);
    }
    assert.equal(maxAbsDiff(Array.from(now.subarray(0, V * D)), Array.from(old)), 0, "old rows unchanged");
  }
  const after = forward(m, ids);
  assert.ok(maxAbsDiff(after.map((r) => r.map((l) => l.slice(0, V))), before) < 1e-5, "old columns of the logits unchanged");
  assert.throws(() => resizeVocabulary(m, V), /can only grow/);
  m.dispose();
});

for (const tied of [true, false]) {
  test(`trainable rows give the logits of a model whose table holds them (${tied ? "tied" : "untied"} head), with gradient`, () => {
    const cfg = { ...TINY_MISTRAL, tieWordEmbeddings: tied };
    const r5 = randomRow(7);
    const r8 = randomRow(8);
    const ref = build(cfg, 2, new Map([[5, r5], [8, r8]]));
    const m = build(cfg, 2);
    const tokens = new TrainableTokens(m, [5, 8]);
    const rows = new Float32Array(2 * D);
    rows.set(r5, 0);
    rows.set(r8, D);
    tokens.rows.assign(tf.tensor2d(rows, [2, D]));
    const ids = [[1, 5, 3, 8, 5, 7], [2, 4, 6, 8, 10, 12]];
    const want = forward(ref, ids);
    const d = maxAbsDiff(viaTokens(m, tokens, ids), want);
    assert.ok(d < 1e-4, `trainable rows vs table rows: max |Δ| = ${d}`);
    assert.ok(maxAbsDiff(forward(m, ids), want) > 0.01, "the base model differs (so the check can fail)");
    const g = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const idT = tf.tensor2d(ids, undefined, "int32");
        const h = m.hidden(idT, { inputsEmbeds: tokens.embed(m, idT) });
        return tokens.logits(m, h.reshape([-1, D])).logSoftmax().mean().neg() as tf.Scalar;
      }, [tokens.rows]);
      return grads[tokens.rows.name].abs().sum(1).arraySync() as number[];
    });
    assert.ok(g[0] > 0 && g[1] > 0, `every row gets gradient: ${g}`);
    tokens.merge(m);
    assert.ok(maxAbsDiff(forward(m, ids), want) < 1e-4, "merged rows: plain forward passes see them");
    tokens.dispose();
    m.dispose();
    ref.dispose();
  });
}

test("a low-memory (bfloat16) model grows and takes trainable rows too", () => {
  const r5 = randomRow(11);
  const ref = build(TINY_MISTRAL, 4, new Map([[5, r5]]), { lowMemory: true });
  const m = build(TINY_MISTRAL, 4, new Map(), { lowMemory: true });
  const ids = [[1, 5, 3, 5]];
  const want = forward(ref, ids);
  resizeVocabulary(m, V + 1);
  assert.ok(m.embedding.lowMemory && m.head.lowMemory, "still low-memory after the resize");
  const tokens = new TrainableTokens(m, [5]);
  tokens.rows.assign(tf.tensor2d(r5, [1, D]));
  const got = viaTokens(m, tokens, ids).map((r) => r.map((l) => l.slice(0, V)));
  // The reference holds r5 in bfloat16; the trainable row is float32: agreement to bfloat16 rounding.
  const d = maxAbsDiff(got, want);
  assert.ok(d < 0.05, `low-memory trainable row vs table row: max |Δ| = ${d}`);
  tokens.dispose();
  m.dispose();
  ref.dispose();
});

test("token rows saved with a LoRA adapter are read back by loadAdapter, growing a model that lacks the id", () => {
  const dir = tempDir("tokens");
  try {
    const cfg = { ...TINY_MISTRAL, tieWordEmbeddings: true };
    const m = build(cfg, 3);
    resizeVocabulary(m, V + 1);
    const tokens = new TrainableTokens(m, [V]);
    tokens.rows.assign(tf.tensor2d(randomRow(9), [1, D]));
    const lora = applyLora(m, { r: 2, alpha: 4, targetModules: ["q_proj", "v_proj"], seed: 1 });
    for (const v of lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, "float32", 5));
    const ids = [[1, V, 4, V, 9]];
    const want = viaTokens(m, tokens, ids);
    lora.save(dir, "", tokens);
    const cfgJson = JSON.parse(fs.readFileSync(path.join(dir, "adapter_config.json"), "utf8"));
    assert.deepEqual(cfgJson.trainable_token_indices, [V]);
    assert.deepEqual(readLoraConfig(dir).trainableTokens, { embed: [V] });
    const fresh = build(cfg, 3);
    loadAdapter(fresh, dir);
    assert.equal(fresh.config.vocabSize, V + 1, "grown to hold the id");
    const d = maxAbsDiff(forward(fresh, ids), want);
    assert.ok(d < 1e-4, `reloaded vs saved: max |Δ| = ${d}`);
    for (const x of [m, fresh]) x.dispose();
    tokens.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bad trainable_token_indices are refused, naming the field", () => {
  assert.throws(() => parseTokenIndices({ wte: [1] }, "a.json"), /a\.json: field trainable_token_indices names the layer "wte"/);
  assert.throws(() => parseTokenIndices([1, -2], "a.json"), /field trainable_token_indices must be a non-empty list of token ids/);
  assert.throws(() => parseTokenIndices([3, 3], "a.json"), /lists a token id twice/);
  assert.throws(() => parseTokenIndices({ embed_tokens: [1], lm_head: [2] }, "a.json"), /different ids/);
  assert.deepEqual(parseTokenIndices({ embed_tokens: [4], lm_head: [4] }, "a.json"), { embed: [4], head: [4] });
});
