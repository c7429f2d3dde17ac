/**
 * Fast P(signal) for a whole set of events with an LlmClassifier, the same numbers as scoring
 * one event at a time (within float rounding, checked to 1e-5 in test/train/batch-scorer.test.ts):
 *
 * - events sorted by prompt length and cut into passes of at most `tokensPerPass` padded tokens,
 *   so a pass wastes almost nothing on padding and small products are batched into large ones;
 * - the LoRA branches folded into an inference copy of the weights (merged-decoder.ts): one
 *   product per projection instead of three;
 * - the shared prompt prefix (BOS, `[INST]`, the instruction, ... up to where the events' prompts
 *   first differ, or where the fusion vector goes in) run once into a KV cache and reused by
 *   every pass (lib/llm/model/prefix-cache.ts);
 * - lm head with one-token labels (+ EOS): both labels ride in the prompt pass as alternatives
 *   (decoder ForwardOptions.alternatives), so there is no second pass; longer answers continue
 *   from a copy of the cache (rows 0..B−1 ` background`, B..2B−1 ` signal`) in one more pass;
 * - only what the decision needs read back: per event the labels' log-probabilities (gathered
 *   on the device from the log-softmax) or the linear head's P(signal).
 *
 * Prompts are right-padded after the shared prefix (the prefix's cache rows are the same for
 * every event; rotary positions and the sliding window count real tokens only, mask.ts).
 */
import * as tf from "@tensorflow/tfjs";
import type { EventRecord } from "../jets/record";
import { KVCache, LM } from "../llm";
import { PrefixCache, sharedPrefixLength } from "../llm/model/prefix-cache";
import { featureMatrix } from "../llm/adapters/fusion/features";
import type { EncodedExample } from "../prompts";
import { Progress } from "../util/progress";
import type { LlmClassifier } from "./llm-classifier";
import { mergedView } from "./merged-decoder";
import { ScoringForward } from "./scoring-forward";

export interface BatchScoreOptions {
  /** Padded prompt tokens per forward pass, rows × longest prompt (default passTokens(): the activation budget). */
  tokensPerPass?: number;
  /** Most events per pass (default 128: ~16k demo tokens, where larger passes stop paying off). */
  maxRows?: number;
  /** Run the shared prompt prefix once (default true; false: every pass runs whole prompts). */
  prefixCache?: boolean;
  /** The scoring forward (scoring-forward.ts: folded norms, causal query blocks, shared tables) for the linear head and one-token labels; default true; false: Decoder.hidden/forward. */
  scoringForward?: boolean;
  /** Query blocks of the scoring forward's causal attention (default scoring-forward.ts's DEFAULT_BLOCKS). */
  blocks?: number;
  /** lm head with one-token labels: score both labels inside the prompt pass (default true; false: the cache-copy continuation used for longer answers). */
  alternatives?: boolean;
  progress?: boolean;
}

export const DEFAULT_MAX_ROWS = 128;
/** Largest activation of one pass, bytes: bounds memory for large models (the demo model's passes stay far below it). */
export const ACTIVATION_BUDGET = 64 * 2 ** 20;

/**
 * Default padded tokens per pass: as many as keep the widest per-token activation (MLP [N, I],
 * attention scores [N, heads, S]; the logits are read at a few positions per row only) within
 * ACTIVATION_BUDGET, at least one longest prompt. Demo model (I 172, 4 heads, S ≈ 130): ~32k.
 */
export function passTokens(cfg: { intermediateSize: number; numHeads: number }, longest: number): number {
  const widest = Math.max(cfg.intermediateSize, cfg.numHeads * longest);
  return Math.max(longest, Math.floor(ACTIVATION_BUDGET / (4 * widest)));
}

/** The labels in the order the lm head reads them. */
const LABELS = ["background", "signal"] as const;

/** Event indices grouped into passes: sorted by prompt length, each pass within the token budget. */
export function planPasses(lengths: number[], tokensPerPass: number, maxRows: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const passes: number[][] = [];
  let cur: number[] = [];
  for (const i of order) {
    // Sorted ascending: the newest event is the longest, so the pass costs rows × lengths[i].
    if (cur.length > 0 && ((cur.length + 1) * lengths[i] > tokensPerPass || cur.length >= maxRows)) {
      passes.push(cur);
      cur = [];
    }
    cur.push(i);
  }
  if (cur.length > 0) passes.push(cur);
  return passes;
}

/** P(signal) of every record, in input order (see the file comment). The classifier is left in the training mode it had. */
export async function scoreBatched(clf: LlmClassifier, records: EventRecord[], opts: BatchScoreOptions = {}): Promise<number[]> {
  const out = new Array<number>(records.length);
  if (records.length === 0) return out;
  const exs = records.map((r) => clf.example(r));
  const wasTraining = clf.model.training;
  clf.setTraining(false);
  const view = await mergedView(clf.model);
  const mode = clf.fusion?.cfg.mode ?? "off";
  // The prefix ends before the first position any event's fusion vector or own tokens touch.
  let p = opts.prefixCache === false ? 0 : sharedPrefixLength(exs.map((e) => e.promptIds));
  if (mode === "first-token") p = 0;
  for (const e of exs) {
    if (mode === "token") p = Math.min(p, e.featuresTokenIndex);
    p = Math.min(p, e.promptIds.length - 1); // every event keeps ≥ 1 own token: its last is read
  }
  const prefix = p > 0 ? new PrefixCache(view.model, exs[0].promptIds.slice(0, p)) : undefined;
  const fast = opts.scoringForward !== false ? ScoringForward.of(view.model) : undefined;
  const bar = opts.progress ? new Progress({ label: "score", total: records.length, unit: "events" }) : undefined;
  try {
    const own = exs.map((e) => e.promptIds.length - p);
    const passes = planPasses(own, opts.tokensPerPass ?? passTokens(view.model.config, p + Math.max(...own)), opts.maxRows ?? DEFAULT_MAX_ROWS);
    for (const idx of passes) {
      const [batch, bexs] = [idx.map((i) => records[i]), idx.map((i) => exs[i])];
      const ps = fast && clf.head ? await linearPass(clf, view.model, fast, batch, bexs, p, prefix, opts.blocks) : await scorePass(clf, view.model, batch, bexs, p, prefix, opts.alternatives ?? true, fast && { fwd: fast, blocks: opts.blocks });
      idx.forEach((i, k) => (out[i] = ps[k]));
      bar?.tick(idx.length);
      await new Promise((r) => setImmediate(r)); // keep servers and notebooks responsive
    }
  } finally {
    fast?.dispose();
    prefix?.dispose();
    view.dispose();
    clf.setTraining(wasTraining);
  }
  bar?.finish();
  return out;
}

/**
 * lm head, labels of one token + EOS, through the scoring forward: the labels' first tokens as its
 * alternatives (scoring-forward.ts), hidden states at the last prompt token and at each label, the
 * four needed log-probabilities gathered on the device. As alternativesPass, without the padded
 * label columns in every row's attention.
 */
async function scoringForwardAlternatives(clf: LlmClassifier, model: LM, fwd: ScoringForward, batch: EventRecord[], exs: EncodedExample[], p: number, prefix: PrefixCache | undefined, blocks: number | undefined): Promise<number[]> {
  const b = batch.length;
  const v = model.config.vocabSize;
  const own = exs.map((e) => e.promptIds.slice(p));
  const t = Math.max(...own.map((s) => s.length));
  const ids = new Int32Array(b * t).fill(clf.tok.padId);
  own.forEach((s, i) => ids.set(s, i * t));
  const last = own.map((s) => [s.length - 1]);
  const picks: number[] = []; // rows per event: last prompt token, after ` background`, after ` signal`
  exs.forEach((e, i) => {
    const [ab, as] = [e.answerIds.background, e.answerIds.signal];
    picks.push(i * 3 * v + ab[0], i * 3 * v + as[0], (i * 3 + 1) * v + ab[1], (i * 3 + 2) * v + as[1]);
  });
  const lpT = tf.tidy(() => {
    const idT = tf.tensor2d(ids, [b, t], "int32");
    const embed = (ids: tf.Tensor2D): tf.Tensor3D => fwd.embed(ids);
    const x = (fusedEmbeddings(clf, model, idT, batch, exs, p, last, embed) ?? embed(idT)).reshape([b * t, model.config.hiddenSize]) as tf.Tensor2D;
    const altIds = tf.tensor2d(exs.flatMap((e) => LABELS.map((l) => e.answerIds[l][0])), [b, LABELS.length], "int32");
    const xa = embed(altIds).reshape([b * LABELS.length, model.config.hiddenSize]) as tf.Tensor2D;
    const h = fwd.lastHidden(x, b, t, last.map((r) => r[0]), prefix, blocks, { x: xa, k: LABELS.length }); // [3B, D]
    return tf.gather(tf.logSoftmax(model.lmHead(h) as tf.Tensor2D).reshape([-1]), tf.tensor1d(picks, "int32"));
  });
  const lp = await lpT.data();
  lpT.dispose();
  return exs.map((_, i) => 1 / (1 + Math.exp(lp[4 * i] + lp[4 * i + 2] - (lp[4 * i + 1] + lp[4 * i + 3]))));
}

/** Linear head through the scoring forward: P(signal) of one pass (own tokens after the prefix, right-padded). */
async function linearPass(clf: LlmClassifier, model: LM, fwd: ScoringForward, batch: EventRecord[], exs: EncodedExample[], p: number, prefix: PrefixCache | undefined, blocks: number | undefined): Promise<number[]> {
  const b = batch.length;
  const own = exs.map((e) => e.promptIds.slice(p));
  const t = Math.max(...own.map((s) => s.length));
  const ids = new Int32Array(b * t).fill(clf.tok.padId);
  own.forEach((s, i) => ids.set(s, i * t));
  const last = own.map((s) => [s.length - 1]);
  const pT = tf.tidy(() => {
    const idT = tf.tensor2d(ids, [b, t], "int32");
    const embed = (ids: tf.Tensor2D): tf.Tensor3D => fwd.embed(ids);
    const x = (fusedEmbeddings(clf, model, idT, batch, exs, p, last, embed) ?? embed(idT)).reshape([b * t, model.config.hiddenSize]) as tf.Tensor2D;
    return clf.head!.pSignalTensor(fwd.lastHidden(x, b, t, last.map((r) => r[0]), prefix, blocks));
  });
  try {
    return Array.from((await pT.data()) as Float32Array);
  } finally {
    pT.dispose();
  }
}

/** P(signal) of one pass: prompts' own tokens after the shared prefix (length p), right-padded. */
async function scorePass(clf: LlmClassifier, model: LM, batch: EventRecord[], exs: EncodedExample[], p: number, prefix: PrefixCache | undefined, alternatives: boolean, fast: { fwd: ScoringForward; blocks?: number } | undefined): Promise<number[]> {
  const b = batch.length;
  const own = exs.map((e) => e.promptIds.slice(p));
  const t = Math.max(...own.map((s) => s.length));
  // lm head with one-token labels (+ EOS): both labels ride along as alternatives in this pass.
  const alt = alternatives && !clf.head && exs.every((e) => LABELS.every((l) => e.answerIds[l].length === 2));
  if (alt && fast) return await scoringForwardAlternatives(clf, model, fast.fwd, batch, exs, p, prefix, fast.blocks);
  const ids: number[] = [];
  const mask: number[][] = [];
  own.forEach((s, i) => {
    const labels = alt ? LABELS.map((l) => exs[i].answerIds[l][0]) : [];
    ids.push(...s, ...new Array<number>(t - s.length).fill(clf.tok.padId), ...labels);
    mask.push([...new Array<number>(s.length).fill(1), ...new Array<number>(t - s.length).fill(0), ...labels.map(() => 1)]);
  });
  const last = own.map((s) => [s.length - 1]); // per row, the last prompt token among the T new ones
  if (alt) return await alternativesPass(clf, model, batch, exs, ids, mask, last, t, p, prefix);
  // The linear head needs no cache beyond the prefix; the lm head continues from one.
  const cache = prefix ? prefix.forRows(b) : clf.head ? undefined : new KVCache(model.config.numLayers);
  try {
    const hOrLogits = tf.tidy(() => {
      const idT = tf.tensor2d(ids, [b, t], "int32");
      const embeds = fusedEmbeddings(clf, model, idT, batch, exs, p, last);
      const fwd = { attentionMask: mask, cache, inputsEmbeds: embeds, positions: last, training: false };
      if (clf.head) return model.hidden(idT, fwd).reshape([b, model.config.hiddenSize]);
      return model.forward(idT, fwd).reshape([b, model.config.vocabSize]);
    }) as tf.Tensor2D;
    if (clf.head) {
      try {
        const pT = clf.head.pSignalTensor(hOrLogits);
        const ps = Array.from((await pT.data()) as Float32Array);
        pT.dispose();
        return ps;
      } finally {
        hOrLogits.dispose();
      }
    }
    return await labelProbabilities(clf, model, hOrLogits, exs, cache!);
  } finally {
    cache?.dispose();
  }
}

/**
 * lm head, labels of one token + EOS: rows [own prompt tokens, padding, label_b, label_s] with the
 * two labels as alternatives (decoder ForwardOptions.alternatives), logits read at the last prompt
 * token (each label's first token) and at each label (its EOS): one pass, no cache copy.
 */
async function alternativesPass(clf: LlmClassifier, model: LM, batch: EventRecord[], exs: EncodedExample[], ids: number[], mask: number[][], last: number[][], t: number, p: number, prefix: PrefixCache | undefined): Promise<number[]> {
  const b = batch.length;
  const v = model.config.vocabSize;
  const cache = prefix?.forRows(b);
  try {
    const picks: number[] = []; // per row: [first]·b, [first]·s, EOS after b, EOS after s
    exs.forEach((e, i) => {
      const [ab, as] = [e.answerIds.background, e.answerIds.signal];
      picks.push((i * 3) * v + ab[0], (i * 3) * v + as[0], (i * 3 + 1) * v + ab[1], (i * 3 + 2) * v + as[1]);
    });
    const lpT = tf.tidy(() => {
      const idT = tf.tensor2d(ids, [b, t + 2], "int32");
      const embeds = fusedEmbeddings(clf, model, idT, batch, exs, p, last);
      const logits = model.forward(idT, { attentionMask: mask, cache, inputsEmbeds: embeds, positions: last.map(([l]) => [l, t, t + 1]), alternatives: 2, training: false });
      return tf.gather(tf.logSoftmax(logits.reshape([b * 3, v])).reshape([-1]), tf.tensor1d(picks, "int32"));
    });
    const lp = await lpT.data(); // asynchronous: webgpu has no dataSync
    lpT.dispose();
    return exs.map((_, i) => 1 / (1 + Math.exp(lp[4 * i] + lp[4 * i + 2] - (lp[4 * i + 1] + lp[4 * i + 3]))));
  } finally {
    cache?.dispose();
  }
}

/** Input embeddings with the fusion vector injected where its mode puts it (undefined: plain ids). */
function fusedEmbeddings(clf: LlmClassifier, model: LM, idT: tf.Tensor2D, batch: EventRecord[], exs: EncodedExample[], p: number, last: number[][], embed: (ids: tf.Tensor2D) => tf.Tensor3D = (ids) => model.embed(ids)): tf.Tensor3D | undefined {
  const f = clf.fusion;
  if (!f || f.cfg.mode === "off") return undefined;
  // Positions within the T new tokens (the prefix stops before any of them, see scoreBatched).
  const at = f.cfg.mode === "last-token" ? last.map((r) => r[0]) : f.cfg.mode === "token" ? exs.map((e) => e.featuresTokenIndex - p) : exs.map(() => 0);
  const x = tf.tensor2d(clf.encoder.encode(featureMatrix(batch, clf.opts.maxJets), batch.length), [batch.length, clf.encoder.outputSize]);
  return f.inject(embed(idT), x, at);
}

/**
 * lm head: P(signal) = 1 / (1 + exp(log L_b − log L_s)) from the prompt pass's last-position
 * logits [B, V] (disposed here) and one continuation pass over the duplicated cache.
 */
async function labelProbabilities(clf: LlmClassifier, model: LM, logits: tf.Tensor2D, exs: EncodedExample[], cache: KVCache): Promise<number[]> {
  const b = exs.length;
  const v = model.config.vocabSize;
  const answers = LABELS.flatMap((label) => exs.map((e) => e.answerIds[label])); // row r: label ⌊r/B⌋ of event r mod B
  // First answer tokens: log-softmax at the last prompt position, gathered on the device.
  const firstIdx = answers.map((a, r) => (r % b) * v + a[0]);
  const firstT = tf.tidy(() => tf.gather(tf.logSoftmax(logits).reshape([-1]), tf.tensor1d(firstIdx, "int32")));
  logits.dispose();
  const ll = Float64Array.from(await firstT.data());
  firstT.dispose();
  const rest = Math.max(...answers.map((a) => a.length)) - 1;
  if (rest > 0) {
    // Both labels continue from the same prompt state; shorter answers are right-padded (causal:
    // padding after a token cannot change it). The rows' prompt padding stays masked in the
    // cache, and rotary positions and the sliding window follow real tokens only.
    cache.tileRows(2);
    const ids = answers.flatMap((a) => Array.from({ length: rest }, (_, j) => (j < a.length - 1 ? a[j] : clf.tok.padId)));
    const picks = answers.flatMap((a, r) => Array.from({ length: rest }, (_, j) => (r * rest + j) * v + (j + 1 < a.length ? a[j + 1] : 0)));
    const restT = tf.tidy(() => {
      const lg = model.forward(tf.tensor2d(ids, [2 * b, rest], "int32"), { cache, training: false });
      return tf.gather(tf.logSoftmax(lg.reshape([2 * b * rest, v])).reshape([-1]), tf.tensor1d(picks, "int32"));
    });
    const lp = await restT.data();
    restT.dispose();
    answers.forEach((a, r) => {
      for (let j = 1; j < a.length; j++) ll[r] += lp[r * rest + j - 1];
    });
  }
  return exs.map((_, k) => 1 / (1 + Math.exp(ll[k] - ll[b + k])));
}
