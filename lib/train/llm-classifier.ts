/**
 * The LLM as an event classifier: prompt → frozen decoder with LoRA (+ numeric fusion adapter)
 * → likelihood of each answer.
 *
 * Two heads (`head` option, the training config's `head`):
 * "lm" (default) — Training loss: mean cross-entropy over the answer tokens only
 *   (` signal`/` background` + EOS), teacher-forced after the prompt; the prompt tokens carry no
 *   loss. Score: P(signal) = L_s / (L_s + L_b) with L = Π p(answer tokens | prompt) — the label
 *   log-likelihoods summed over each label's tokens and normalised over the two labels, so every
 *   event gets a probability (not a parsed word) and ROC curves exist. Scoring runs the prompt
 *   once with a KV cache and continues both answers from that one cached prefix.
 * "linear" — a two-class linear head (classification-head.ts) on the final-norm hidden state at
 *   the last prompt position: one forward pass over the prompt per event, no answer tokens,
 *   class-weighted two-class cross-entropy; P(signal) = softmax(logits)[signal].
 * When the tokenizer lacks `<JET_FEATURES>` (fusion mode "token" on any Hugging Face folder), it
 * is added and its embedding row trains with the adapters as a PEFT trainable token, saved in the
 * adapter files with the grown tokenizer beside them (features-token.ts, trainable-tokens.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { HostReads, readAsync, readSync } from "../llm/kernels/read";
import type { EventRecord } from "../jets/record";
import { KVCache, LM, LoraAdapter, applyLora, LoraTarget, generate } from "../llm";
import type { ForwardOptions } from "../llm/model/decoder";
import { SafetensorsFile } from "../llm/io/safetensors";
import { readLoraConfig } from "../llm/adapters/lora";
import { TrainableTokens } from "../llm/adapters/trainable-tokens";
import { FusionAdapter, FusionConfig, FusionMode } from "../llm/adapters/fusion/adapter";
import { featureMatrix, featureSize } from "../llm/adapters/fusion/features";
import { DEFAULT_NUMERIC, loadEncoder, NumericEncoder, numericEncoder, NumericEncoderConfig, saveEncoder } from "../llm/adapters/fusion/encoder";
import { encodeExample, EncodedExample, PromptOptions } from "../prompts";
import type { Tokenizer } from "../tokenizer";
import { HfTokenizer, saveTokenizer } from "../tokenizer/hf-tokenizer";
import { writeFileAtomic } from "../util/atomic";
import { Progress } from "../util/progress";
import type { ParamGroup } from "./adamw";
import { LossOptions, TrainableClassifier, labelOf } from "./classifier";
import { readTensorFile, writeTensorFile } from "./tensor-file";
import { ClassificationHead, HEAD_FILE } from "./classification-head";
import { scoreBatched } from "./batch-scorer";
import { ensureFeaturesToken } from "./features-token";

/** What reads the decision off the decoder: the label likelihood ("lm") or a linear head on the last hidden state. */
export type HeadKind = "lm" | "linear";

export interface LlmClassifierOptions {
  lora: { r: number; alpha: number; dropout: number; targets: string[]; rslora: boolean };
  fusion: { mode: FusionMode; dropout: number };
  prompt: Partial<PromptOptions>;
  maxJets: number;
  seed: number;
  /** "lm" (default): label likelihood; "linear": a classification head on the last prompt position's hidden state. */
  head?: HeadKind;
  /** How the feature vector is encoded before the fusion adapter (default: the scaled vector). */
  numeric?: NumericEncoderConfig;
  /** Base model name recorded in adapter_config.json. */
  baseModel?: string;
}

const LABELS = ["background", "signal"] as const;

/** Per row of a left-padded batch: where each fusion mode injects (first real token, <JET_FEATURES>, last prompt token). */
interface InjectAt {
  firstReal: number[];
  featureIdx: number[];
  lastPrompt: number[];
}

export class LlmClassifier implements TrainableClassifier {
  readonly kind = "llm";
  readonly numericInput: string;
  readonly model: LM;
  readonly tok: Tokenizer;
  readonly lora: LoraAdapter;
  readonly fusion: FusionAdapter | undefined;
  /** The `<JET_FEATURES>` row when hepllm added the token to the tokenizer (trained, saved as PEFT trainable tokens). */
  readonly tokens: TrainableTokens | undefined;
  /** The linear head (head "linear"), undefined for the label likelihood. */
  readonly head: ClassificationHead | undefined;
  /** Feature vector → fusion adapter input (fitted on the training events by fitInputs). */
  readonly encoder: NumericEncoder;
  readonly opts: LlmClassifierOptions;
  private readonly promptOpts: Partial<PromptOptions>;
  /** Encoded prompts by record object (ids repeat across files, objects don't). */
  private cache = new WeakMap<EventRecord, EncodedExample>();
  /** Whether dispose() also frees the base model (true when the classifier loaded it itself, as run.ts does). */
  private readonly ownsModel: boolean;

  constructor(model: LM, tok: Tokenizer, opts: LlmClassifierOptions, own: { model?: boolean } = {}) {
    this.model = model;
    this.ownsModel = own.model ?? false;
    this.opts = opts;
    this.numericInput = opts.fusion.mode;
    // The token mode needs the <JET_FEATURES> placeholder in the prompt: added to the tokenizer (and the model) when missing.
    this.promptOpts = { ...opts.prompt, featuresToken: opts.fusion.mode === "token" };
    const withToken = this.promptOpts.featuresToken ? ensureFeaturesToken(model, tok) : { tok, added: undefined };
    this.tok = withToken.tok;
    if (withToken.added !== undefined) this.tokens = new TrainableTokens(model, [withToken.added]);
    this.lora = applyLora(model, {
      r: opts.lora.r, alpha: opts.lora.alpha, dropout: opts.lora.dropout,
      targetModules: opts.lora.targets as LoraTarget[], useRslora: opts.lora.rslora, seed: opts.seed,
    });
    this.encoder = numericEncoder(opts.numeric ?? DEFAULT_NUMERIC, featureSize(opts.maxJets));
    if (opts.fusion.mode !== "off") {
      // Start the fusion vector at the embeddings' own scale, so it is neither drowned nor dominant.
      // RMS of BOS's embedding row, on the host: the row is gathered there, so it reads synchronously on every backend (webgpu too).
      const row = tf.tidy(() => model.embed(tf.tensor2d([[tok.bosId]], [1, 1], "int32")));
      const e = row.dataSync() as Float32Array;
      row.dispose();
      let sq = 0;
      for (let i = 0; i < e.length; i++) sq += e[i] * e[i];
      const probe = Math.sqrt(sq / e.length);
      const cfg: FusionConfig = {
        mode: opts.fusion.mode, inputSize: this.encoder.outputSize, hiddenSize: model.config.hiddenSize,
        maxJets: opts.maxJets, dropout: opts.fusion.dropout, initScale: probe > 0 ? probe : 1,
      };
      this.fusion = new FusionAdapter(cfg, opts.seed + 1);
    }
    if ((opts.head ?? "lm") === "linear") this.head = new ClassificationHead(model.config.hiddenSize, opts.seed + 2);
  }

  /** Prompt and answer ids of a record (memoised: each epoch re-reads the same records). */
  example(r: EventRecord): EncodedExample {
    let e = this.cache.get(r);
    if (!e) {
      e = encodeExample(this.tok, r, this.promptOpts, 0);
      this.cache.set(r, e);
    }
    return e;
  }

  /** Fits the numeric encoder on the training events (before training; a checkpoint's load restores the same state). */
  fitInputs(train: EventRecord[]): void {
    this.encoder.fit(featureMatrix(train, this.opts.maxJets), train.length);
  }

  paramGroups(opts: { weightDecay: number; fusionLrScale: number }): ParamGroup[] {
    const groups: ParamGroup[] = [{ name: "lora", variables: this.lora.variables(), lrScale: 1, weightDecay: opts.weightDecay }];
    if (this.fusion) groups.push({ name: "fusion", variables: this.fusion.variables(), lrScale: opts.fusionLrScale, weightDecay: 0 });
    // The added token's row trains with the fusion adapter, at its learning rate.
    if (this.tokens) groups.push({ name: "tokens", variables: this.tokens.variables(), lrScale: opts.fusionLrScale, weightDecay: 0 });
    if (this.head) groups.push({ name: "head", variables: this.head.variables(), lrScale: 1, weightDecay: 0 });
    return groups;
  }

  /** Embeddings of left-padded ids with the fusion vector injected at the position its mode names (per row, see InjectAt). ids [B, T]. */
  private embeddings(ids: tf.Tensor2D, batch: EventRecord[], at: InjectAt): tf.Tensor3D | undefined {
    if (!this.fusion || this.fusion.cfg.mode === "off") return undefined;
    const positions = { "first-token": at.firstReal, token: at.featureIdx, "last-token": at.lastPrompt }[this.fusion.cfg.mode];
    const x = tf.tensor2d(this.encoder.encode(featureMatrix(batch, this.opts.maxJets), batch.length), [batch.length, this.encoder.outputSize]);
    return this.fusion.inject(this.embed(ids), x, positions);
  }

  /** Token embeddings [B, T, D], with the trainable token rows in place. */
  private embed(ids: tf.Tensor2D): tf.Tensor3D {
    return this.tokens ? this.tokens.embed(this.model, ids) : this.model.embed(ids);
  }

  /** The model's logits [B, P, V], through the trainable token rows (input and tied head) when there are any. */
  private forward(ids: tf.Tensor2D, opts: ForwardOptions): tf.Tensor3D {
    if (!this.tokens) return this.model.forward(ids, opts);
    const tokens = this.tokens;
    return tf.tidy(() => {
      const h = this.model.hidden(ids, { ...opts, inputsEmbeds: opts.inputsEmbeds ?? tokens.embed(this.model, ids) });
      const [b, p, d] = h.shape;
      return tokens.logits(this.model, h.reshape([b * p, d])).reshape([b, p, this.model.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Left-padded prompts of a batch: ids [B·T] row-major, mask rows, first real and <JET_FEATURES> index per row. */
  private promptBatch(exs: EncodedExample[]): { ids: number[]; t: number; mask: number[][]; at: InjectAt } {
    const t = Math.max(...exs.map((e) => e.promptIds.length));
    const ids: number[] = [];
    const mask: number[][] = [];
    const firstReal: number[] = [];
    const featureIdx: number[] = [];
    exs.forEach((e) => {
      const pad = t - e.promptIds.length;
      ids.push(...new Array(pad).fill(this.tok.padId), ...e.promptIds);
      mask.push([...new Array(pad).fill(0), ...new Array(e.promptIds.length).fill(1)]);
      firstReal.push(pad);
      featureIdx.push(pad + e.featuresTokenIndex);
    });
    return { ids, t, mask, at: { firstReal, featureIdx, lastPrompt: exs.map(() => t - 1) } };
  }

  /** Final-norm hidden state at each prompt's last token, [B, D] (fusion injected; left padding puts every last token at T−1). */
  lastHidden(batch: EventRecord[], training: boolean): tf.Tensor2D {
    const p = this.promptBatch(batch.map((r) => this.example(r)));
    return tf.tidy(() => {
      const idT = tf.tensor2d(p.ids, [batch.length, p.t], "int32");
      const embeds = this.embeddings(idT, batch, p.at);
      const h = this.model.hidden(idT, { attentionMask: p.mask, inputsEmbeds: embeds ?? (this.tokens ? this.embed(idT) : undefined), positions: "last", training });
      return h.reshape([batch.length, this.model.config.hiddenSize]) as tf.Tensor2D;
    });
  }

  loss(batch: EventRecord[], opts: LossOptions): tf.Scalar {
    if (this.head) return this.headLoss(batch, opts);
    const exs = batch.map((r) => this.example(r));
    const answers = batch.map((r, i) => exs[i].answerIds[LABELS[labelOf(r)]]);
    const seqs = exs.map((e, i) => [...e.promptIds, ...answers[i]]);
    const t = Math.max(...seqs.map((s) => s.length));
    const aMax = Math.max(...answers.map((a) => a.length));
    const ids: number[] = [];
    const mask: number[][] = [];
    const positions: number[][] = [];
    const targets: number[] = [];
    const weights: number[] = [];
    const firstReal: number[] = [];
    const featureIdx: number[] = [];
    const lastPrompt: number[] = [];
    seqs.forEach((s, i) => {
      const pad = t - s.length;
      ids.push(...new Array(pad).fill(this.tok.padId), ...s);
      mask.push([...new Array(pad).fill(0), ...new Array(s.length).fill(1)]);
      firstReal.push(pad);
      featureIdx.push(pad + exs[i].featuresTokenIndex);
      lastPrompt.push(pad + exs[i].promptIds.length - 1);
      const start = pad + exs[i].promptIds.length; // index of the first answer token
      const cw = opts.classWeights ? (labelOf(batch[i]) ? opts.classWeights.signal : opts.classWeights.background) : 1;
      const row: number[] = [];
      for (let j = 0; j < aMax; j++) {
        const real = j < answers[i].length;
        row.push(start - 1 + (real ? j : 0)); // logits at p predict token p + 1
        targets.push(real ? answers[i][j] : 0);
        weights.push(real ? cw : 0);
      }
      positions.push(row);
    });
    const b = batch.length;
    const idT = tf.tensor2d(ids, [b, t], "int32");
    this.lora.setDropoutSeed(opts.seed);
    if (this.fusion) this.fusion.training = this.model.training;
    const embeds = this.fusion ? this.fusionWithSeed(idT, batch, { firstReal, featureIdx, lastPrompt }, opts.seed) : undefined;
    const logits = this.forward(idT, { attentionMask: mask, positions, inputsEmbeds: embeds }); // [B, A, V]
    const v = this.model.config.vocabSize;
    const logp = tf.logSoftmax(logits.reshape([b * aMax, v]));
    // Gather by one-hot product: wasm has no gradient for gather along the vocabulary.
    const picked = logp.mul(tf.oneHot(tf.tensor1d(targets, "int32"), v)).sum(1);
    const w = tf.tensor1d(weights);
    return picked.mul(w).sum().neg().div(w.sum()) as tf.Scalar;
  }

  /** The linear head's class-weighted two-class cross-entropy on the last hidden state. */
  private headLoss(batch: EventRecord[], opts: LossOptions): tf.Scalar {
    const labels = batch.map(labelOf);
    const w = labels.map((l) => (opts.classWeights ? (l ? opts.classWeights.signal : opts.classWeights.background) : 1));
    this.lora.setDropoutSeed(opts.seed);
    if (this.fusion) {
      this.fusion.training = this.model.training;
      this.fusion.dropoutSeed = opts.seed;
    }
    return this.head!.loss(this.lastHidden(batch, this.model.training), labels, w);
  }

  /** Fusion dropout with the micro-batch's seed, so resumed runs repeat their masks. */
  private fusionWithSeed(ids: tf.Tensor2D, batch: EventRecord[], at: InjectAt, seed: number): tf.Tensor3D | undefined {
    this.fusion!.dropoutSeed = seed;
    return this.embeddings(ids, batch, at);
  }

  batchSize(batch: EventRecord[]): number {
    return batch.reduce((n, r) => {
      const e = this.example(r);
      return n + e.promptIds.length + (this.head ? 0 : e.answerIds[LABELS[labelOf(r)]].length);
    }, 0);
  }

  /**
   * log L(label) for both labels of a batch: the prompt runs once into a KV cache, the cache is
   * duplicated (rows 0..B−1 continue with ` background`, B..2B−1 with ` signal`), and one more
   * pass reads the remaining answer tokens' probabilities. Returns [B] arrays.
   */
  labelLogLikelihoods(batch: EventRecord[]): { background: number[]; signal: number[] } {
    return readSync(this.likelihoodReads(batch));
  }

  /** labelLogLikelihoods as host reads (lib/llm/kernels/read.ts): log-probabilities come back flat. */
  private *likelihoodReads(batch: EventRecord[]): HostReads<{ background: number[]; signal: number[] }> {
    const exs = batch.map((r) => this.example(r));
    const b = batch.length;
    const { ids, t, mask, at } = this.promptBatch(exs);
    const cache = new KVCache(this.model.config.numLayers);
    try {
      const v = this.model.config.vocabSize;
      // [B, V] log-probabilities after the prompt, flat: row i at i·V.
      const first = yield tf.tidy(() => {
        const idT = tf.tensor2d(ids, [b, t], "int32");
        const embeds = this.embeddings(idT, batch, at);
        const logits = this.forward(idT, { attentionMask: mask, cache, inputsEmbeds: embeds, positions: "last", training: false });
        return tf.logSoftmax(logits.reshape([b, -1]));
      });
      // Fork the cache: the same prompt state for both answers.
      for (const layer of cache.layers) {
        const k = layer.k!;
        const v = layer.v!;
        layer.k = tf.keep(tf.concat([k, k], 0) as tf.Tensor3D);
        layer.v = tf.keep(tf.concat([v, v], 0) as tf.Tensor3D);
        k.dispose();
        v.dispose();
      }
      cache.keyMask = [...cache.keyMask, ...cache.keyMask];
      cache.nextPosition = [...cache.nextPosition, ...cache.nextPosition];
      const answers = [...exs.map((e) => e.answerIds.background), ...exs.map((e) => e.answerIds.signal)];
      const out = answers.map((a, i) => first[(i % b) * v + a[0]]);
      const rest = Math.max(...answers.map((a) => a.length)) - 1;
      if (rest > 0) {
        // Continue with all but the last answer token; shorter answers are right-padded (causal: padding after a token cannot change it).
        const cont = answers.map((a) => Array.from({ length: rest }, (_, j) => (j < a.length - 1 ? a[j] : this.tok.padId)));
        // [2B, rest, V] log-probabilities, flat.
        const lp = yield tf.tidy(() => {
          const logits = this.forward(tf.tensor2d(cont.flat(), [2 * b, rest], "int32"), { cache, training: false });
          return tf.logSoftmax(logits);
        });
        answers.forEach((a, i) => {
          for (let j = 1; j < a.length; j++) out[i] += lp[(i * rest + j - 1) * v + a[j]];
        });
      }
      return { background: out.slice(0, b), signal: out.slice(b) };
    } finally {
      cache.dispose();
    }
  }

  /**
   * P(signal) of every record. By default batch-scorer.ts (length-sorted passes, shared-prefix
   * cache, LoRA folded in; passes sized by its activation budget, since memory, not the event
   * count, is what a batch size bounds); `plain: true` scores batches of `batchSize` events in
   * input order, the straightforward way (the reference of bench:score).
   */
  async score(records: EventRecord[], opts: { batchSize?: number; progress?: boolean; plain?: boolean } = {}): Promise<number[]> {
    // Added trainable token rows (this.tokens) change embeddings and logits: those models keep the plain path.
    if (!opts.plain && !this.tokens) return scoreBatched(this, records, { progress: opts.progress });
    const bs = opts.batchSize ?? 16;
    const wasTraining = this.model.training;
    this.setTraining(false);
    const bar = opts.progress ? new Progress({ label: "score", total: records.length, unit: "events" }) : undefined;
    const out: number[] = [];
    for (let i = 0; i < records.length; i += bs) {
      const batch = records.slice(i, i + bs);
      out.push(...(await readAsync(this.pSignalReads(batch)))); // async reads: webgpu has no dataSync
      bar?.tick(batch.length);
      await new Promise((r) => setImmediate(r)); // keep servers and notebooks responsive
    }
    bar?.finish();
    this.setTraining(wasTraining);
    return out;
  }

  /** P(signal) of a batch by the configured head. */
  private pSignal(batch: EventRecord[]): number[] {
    return readSync(this.pSignalReads(batch));
  }

  private *pSignalReads(batch: EventRecord[]): HostReads<number[]> {
    if (this.head) {
      const h = this.lastHidden(batch, false);
      try {
        return Array.from(yield this.head.pSignalTensor(h));
      } finally {
        h.dispose();
      }
    }
    const ll = yield* this.likelihoodReads(batch);
    // P(signal) = 1 / (1 + exp(logL_b − logL_s)), stable for large differences.
    return batch.map((_, k) => 1 / (1 + Math.exp(ll.background[k] - ll.signal[k])));
  }

  /**
   * The decision with a sentence after it: P(signal), the more likely label, and whatever the
   * model generates after that label (greedy, until EOS). A model fine-tuned on answers with
   * explanations ("signal. Two-prong jets with ...") gives its reasons here; one trained on bare
   * labels ends at once. With the linear head there are no answer tokens: the explanation is empty.
   */
  explain(rec: EventRecord, opts: { maxNewTokens?: number } = {}): { pSignal: number; label: "signal" | "background"; explanation: string } {
    const wasTraining = this.model.training;
    this.setTraining(false);
    try {
      const [pSignal] = this.pSignal([rec]);
      const label = pSignal >= 0.5 ? "signal" : "background";
      if (this.head) return { pSignal, label, explanation: "" };
      const e = this.example(rec);
      const answer = e.answerIds[label].slice(0, -1); // the label without its EOS, so the model may go on
      const ids = [...e.promptIds, ...answer];
      const embeds = this.fusion
        ? tf.tidy(() => {
            const idT = tf.tensor2d([ids], [1, ids.length], "int32");
            return this.embeddings(idT, [rec], { firstReal: [0], featureIdx: [e.featuresTokenIndex], lastPrompt: [e.promptIds.length - 1] });
          })
        : undefined;
      const out = generate(this.model, ids, { maxNewTokens: opts.maxNewTokens ?? 40, greedy: true, promptEmbeds: embeds, stopIds: [this.tok.eosId] });
      embeds?.dispose();
      return { pSignal, label, explanation: this.tok.decode(out, { skipSpecial: true }).trim() };
    } finally {
      this.setTraining(wasTraining);
    }
  }

  setTraining(on: boolean): void {
    this.lora.setTraining(on);
    if (this.fusion) this.fusion.training = on;
  }

  /** `<dir>/adapter_*` (PEFT, with the added token's row) + the grown tokenizer + `<dir>/fusion_adapter.safetensors` + `fusion_config.json` + `classification_head.safetensors` (linear head) + `classifier_config.json`. */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const loraDir = path.join(dir, "adapter");
    this.lora.save(loraDir, this.opts.baseModel ?? "", this.tokens);
    // With the added token, the checkpoint carries its tokenizer: AutoPeftModelForCausalLM grows the base model to it.
    if (this.tokens && this.tok instanceof HfTokenizer) saveTokenizer(this.tok, dir);
    // PEFT reads adapter_config.json and adapter_model.safetensors from the folder itself: keep them at top level too.
    for (const f of ["adapter_config.json", "adapter_model.safetensors"]) fs.renameSync(path.join(loraDir, f), path.join(dir, f));
    fs.rmSync(loraDir, { recursive: true, force: true });
    if (this.fusion) {
      const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
      tf.tidy(() => {
        for (const [name, t] of this.fusion!.namedTensors()) tensors.set(name, { shape: t.shape, data: t.dataSync() as Float32Array });
      });
      writeTensorFile(path.join(dir, "fusion_adapter.safetensors"), tensors);
      writeFileAtomic(path.join(dir, "fusion_config.json"), JSON.stringify(this.fusion.cfg, null, 2) + "\n");
    }
    if (this.head) this.head.save(path.join(dir, HEAD_FILE));
    saveEncoder(this.encoder, dir);
    writeFileAtomic(path.join(dir, "classifier_config.json"), JSON.stringify({ ...this.opts, promptOptions: this.promptOpts }, null, 2) + "\n");
  }

  load(dir: string): void {
    this.lora.load(dir);
    const saved = readLoraConfig(dir).trainableTokens;
    if (saved && !this.tokens) throw new Error(`${dir}/adapter_config.json: trainable_token_indices are set, but this classifier adds no token`);
    if (this.tokens) {
      if (!saved) throw new Error(`${dir}/adapter_config.json: no trainable_token_indices for the added ${this.tok.idToToken(this.tokens.ids[0])} row`);
      const file = path.join(dir, "adapter_model.safetensors");
      const st = new SafetensorsFile(file);
      try {
        this.tokens.load(st, file, saved);
      } finally {
        st.close();
      }
      // Plain forward passes (generation in explain) then see the trained row too.
      this.tokens.merge(this.model);
    }
    loadEncoder(this.encoder, dir);
    const file = path.join(dir, "fusion_adapter.safetensors");
    if (this.fusion) {
      if (!fs.existsSync(file)) throw new Error(`${dir}: fusion mode "${this.fusion.cfg.mode}" but no fusion_adapter.safetensors`);
      const { tensors } = readTensorFile(file);
      this.fusion.loadNamed((name) => tensors.get(name));
    }
    if (this.head) {
      const headFile = path.join(dir, HEAD_FILE);
      if (!fs.existsSync(headFile)) throw new Error(`${dir}: head "linear" but no ${HEAD_FILE}`);
      this.head.load(headFile);
    }
  }

  dispose(): void {
    this.lora.dispose();
    this.tokens?.dispose();
    this.fusion?.dispose();
    this.head?.dispose();
    if (this.ownsModel) this.model.dispose();
  }
}
