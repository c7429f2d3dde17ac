/**
 * The plain baseline: an MLP on the same scaled feature vectors the fusion adapter reads
 * (lib/llm/adapters/fusion/features.ts), with a logistic output P(signal). It answers "how much does the
 * LLM add over a small network on the numbers alone?".
 *   x [B, F] → (Linear → SiLU) × len(hidden) → Linear(·, 1) → sigmoid
 * Loss: class-weighted binary cross-entropy on the logit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { EventRecord } from "../jets/record";
import { featureMatrix, featureSize } from "../llm/adapters/fusion/features";
import { DEFAULT_NUMERIC, loadEncoder, NumericEncoder, numericEncoder, NumericEncoderConfig, saveEncoder } from "../llm/adapters/fusion/encoder";
import { Rng } from "../util/rng";
import { writeFileAtomic } from "../util/atomic";
import type { ParamGroup } from "./adamw";
import { LossOptions, TrainableClassifier, labelOf } from "./classifier";

export interface MlpConfig {
  /** Hidden layer widths. */
  hidden: number[];
  /** Kept jets in the feature vector (as the dataset's --max-jets). */
  maxJets: number;
  /** Dropout after each hidden activation during training. */
  dropout: number;
  /** How the feature vector is encoded before the first layer (default: the scaled vector), as for the fusion adapter. */
  numeric?: NumericEncoderConfig;
}

export const DEFAULT_MLP: MlpConfig = { hidden: [64, 64], maxJets: 2, dropout: 0.1 };

export class MlpBaseline implements TrainableClassifier {
  readonly kind = "mlp";
  readonly numericInput = "MLP baseline";
  readonly cfg: MlpConfig;
  /** Weights [in, out] and biases, layer by layer. */
  private layers: Array<{ w: tf.Variable; b: tf.Variable }> = [];
  private training = false;
  /** Feature vector → network input (fitted on the training events by fitInputs). */
  readonly encoder: NumericEncoder;

  constructor(cfg: MlpConfig = DEFAULT_MLP, seed = 0) {
    this.cfg = cfg;
    const rng = new Rng(seed);
    this.encoder = numericEncoder(cfg.numeric ?? DEFAULT_NUMERIC, featureSize(cfg.maxJets));
    const sizes = [this.encoder.outputSize, ...cfg.hidden, 1];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const bound = 1 / Math.sqrt(sizes[i]);
      const w = Float32Array.from({ length: sizes[i] * sizes[i + 1] }, () => rng.range(-bound, bound));
      const b = Float32Array.from({ length: sizes[i + 1] }, () => rng.range(-bound, bound));
      this.layers.push(tf.tidy(() => ({ w: tf.variable(tf.tensor2d(w, [sizes[i], sizes[i + 1]])), b: tf.variable(tf.tensor1d(b)) })));
    }
  }

  paramGroups(opts: { weightDecay: number }): ParamGroup[] {
    return [
      { name: "mlp.w", variables: this.layers.map((l) => l.w), lrScale: 1, weightDecay: opts.weightDecay },
      { name: "mlp.b", variables: this.layers.map((l) => l.b), lrScale: 1, weightDecay: 0 },
    ];
  }

  /** Logits [B] for a feature matrix [B, F]. */
  private logits(x: tf.Tensor2D, seed?: number): tf.Tensor1D {
    let h: tf.Tensor2D = x;
    this.layers.forEach((l, i) => {
      h = tf.matMul(h, l.w).add(l.b) as tf.Tensor2D;
      if (i + 1 < this.layers.length) {
        h = h.mul(tf.sigmoid(h)) as tf.Tensor2D;
        if (this.training && this.cfg.dropout > 0) h = tf.dropout(h, this.cfg.dropout, undefined, seed === undefined ? undefined : seed + i) as tf.Tensor2D;
      }
    });
    return h.reshape([-1]) as tf.Tensor1D;
  }

  private features(batch: EventRecord[]): tf.Tensor2D {
    return tf.tensor2d(this.encoder.encode(featureMatrix(batch, this.cfg.maxJets), batch.length), [batch.length, this.encoder.outputSize]);
  }

  /** Fits the numeric encoder on the training events (before training; load restores the same state). */
  fitInputs(train: EventRecord[]): void {
    this.encoder.fit(featureMatrix(train, this.cfg.maxJets), train.length);
  }

  loss(batch: EventRecord[], opts: LossOptions): tf.Scalar {
    const y = batch.map(labelOf);
    const w = y.map((l) => (opts.classWeights ? (l ? opts.classWeights.signal : opts.classWeights.background) : 1));
    const z = this.logits(this.features(batch), opts.seed);
    // Numerically stable BCE with logits: max(z,0) − z·y + log(1 + e^(−|z|)).
    const yt = tf.tensor1d(y, "float32");
    const per = tf.relu(z).sub(z.mul(yt)).add(tf.log1p(tf.exp(tf.abs(z).neg())));
    const wt = tf.tensor1d(w);
    return per.mul(wt).sum().div(wt.sum()) as tf.Scalar;
  }

  batchSize(batch: EventRecord[]): number {
    return batch.length;
  }

  async score(records: EventRecord[], opts: { batchSize?: number } = {}): Promise<number[]> {
    const bs = opts.batchSize ?? 1024;
    const out: number[] = [];
    for (let i = 0; i < records.length; i += bs) {
      const p = tf.tidy(() => tf.sigmoid(this.logits(this.features(records.slice(i, i + bs)))));
      out.push(...(await p.data()));
      p.dispose();
    }
    return out;
  }

  setTraining(on: boolean): void {
    this.training = on;
  }

  /** mlp_config.json + mlp_weights.json (small: plain JSON arrays, [in, out] layout). */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, "mlp_config.json"), JSON.stringify(this.cfg, null, 2) + "\n");
    const weights = this.layers.map((l) => ({ w: Array.from(l.w.dataSync()), shape: l.w.shape, b: Array.from(l.b.dataSync()) }));
    writeFileAtomic(path.join(dir, "mlp_weights.json"), JSON.stringify(weights));
    saveEncoder(this.encoder, dir);
  }

  load(dir: string): void {
    loadEncoder(this.encoder, dir);
    const file = path.join(dir, "mlp_weights.json");
    const weights = JSON.parse(fs.readFileSync(file, "utf8")) as Array<{ w: number[]; shape: number[]; b: number[] }>;
    if (weights.length !== this.layers.length) throw new Error(`${file}: ${weights.length} layers, expected ${this.layers.length}`);
    weights.forEach((l, i) => {
      if (l.shape.join(",") !== this.layers[i].w.shape.join(",")) throw new Error(`${file}: layer ${i} has shape [${l.shape}], expected [${this.layers[i].w.shape}]`);
      tf.tidy(() => {
        this.layers[i].w.assign(tf.tensor2d(l.w, l.shape as [number, number]));
        this.layers[i].b.assign(tf.tensor1d(l.b));
      });
    });
  }

  dispose(): void {
    for (const l of this.layers) {
      l.w.dispose();
      l.b.dispose();
    }
  }
}
