/**
 * The numeric fusion adapter: a small network that turns an event's raw numbers into one vector
 * in the LLM's embedding space and injects it into the prompt's embeddings.
 *
 *   x [B, F] → Linear(F, H/2) → SiLU → Dropout → Linear(H/2, H) → SiLU → Linear(H, H)
 *            → LayerNorm(H) → × scale  =  v [B, H]
 *
 * Three ways in (FusionMode):
 *   "first-token": v is added to the embedding of each sequence's first real token (the study's
 *                  first design; with left padding that is not position 0);
 *   "token":       v is added to the embedding of a dedicated <JET_FEATURES> token in the
 *                  prompt (the study's later design); the token's own row stays in the sum, so
 *                  when hepllm adds the token to a checkpoint, that new row trains with the
 *                  adapter (a learned offset) instead of being masked out;
 *   "last-token":  v is added to the embedding of the prompt's last token, the position the
 *                  decision is read from (the linear head's hidden state, or the first answer
 *                  token's prediction): the numbers reach the decision through the residual
 *                  stream and every layer, where the other modes need attention to carry them;
 *   "off":         nothing is injected (the ablation).
 * `scale` is learnable and starts at a non-zero value (the model's embedding RMS) so every weight
 * receives gradient from the first step: the study's adapter once multiplied by a zero and did
 * nothing for weeks. Weights are kept as [in, out] for plain 2-D matMuls and saved in the
 * PyTorch nn.Linear layout [out, in].
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../../util/rng";

export type FusionMode = "first-token" | "token" | "last-token" | "off";

export interface FusionConfig {
  /** How the vector enters the model (see above). */
  mode: FusionMode;
  /** Feature vector length F (featureSize(maxJets)). */
  inputSize: number;
  /** The LLM's hidden size H. */
  hiddenSize: number;
  /** Kept jets the features describe (for featureSize and the saved config). */
  maxJets: number;
  /** Dropout after the first activation, during training only. */
  dropout: number;
  /** Initial value of the learnable output scale (set from the embedding RMS). */
  initScale: number;
}

type Param = "w1" | "b1" | "w2" | "b2" | "w3" | "b3" | "ln_g" | "ln_b" | "scale";

export class FusionAdapter {
  readonly cfg: FusionConfig;
  readonly params: Record<Param, tf.Variable>;
  training = false;
  /** Seed for the next dropout masks (set per micro-batch by the trainer so resumed runs repeat them). */
  dropoutSeed: number | undefined;

  constructor(cfg: FusionConfig, seed = 0) {
    this.cfg = cfg;
    const rng = new Rng(seed);
    const h2 = Math.max(1, Math.floor(cfg.hiddenSize / 2));
    // nn.Linear's default init: U(-1/sqrt(in), 1/sqrt(in)) for weights and biases.
    const lin = (nIn: number, nOut: number): [tf.Variable, tf.Variable] => {
      const bound = 1 / Math.sqrt(nIn);
      const w = Float32Array.from({ length: nIn * nOut }, () => rng.range(-bound, bound));
      const b = Float32Array.from({ length: nOut }, () => rng.range(-bound, bound));
      // tidy frees the tensors the variables were made from (their buffers would outlive the first assign).
      return tf.tidy(() => [tf.variable(tf.tensor2d(w, [nIn, nOut]), true), tf.variable(tf.tensor1d(b), true)]);
    };
    const [w1, b1] = lin(cfg.inputSize, h2);
    const [w2, b2] = lin(h2, cfg.hiddenSize);
    const [w3, b3] = lin(cfg.hiddenSize, cfg.hiddenSize);
    // Unnamed variables: tfjs names them uniquely, so several adapters can live side by side.
    this.params = {
      w1, b1, w2, b2, w3, b3,
      ln_g: tf.tidy(() => tf.variable(tf.ones([cfg.hiddenSize]), true)),
      ln_b: tf.tidy(() => tf.variable(tf.zeros([cfg.hiddenSize]), true)),
      scale: tf.tidy(() => tf.variable(tf.scalar(cfg.initScale), true)),
    };
  }

  variables(): tf.Variable[] {
    return Object.values(this.params);
  }

  /** v = scale · LayerNorm(MLP(x)); x [B, F] → [B, H]. */
  vector(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const p = this.params;
      let h = tf.matMul(x, p.w1).add(p.b1);
      h = h.mul(tf.sigmoid(h)); // SiLU
      if (this.training && this.cfg.dropout > 0) h = tf.dropout(h, this.cfg.dropout, undefined, this.dropoutSeed);
      h = tf.matMul(h, p.w2).add(p.b2);
      h = h.mul(tf.sigmoid(h));
      h = tf.matMul(h, p.w3).add(p.b3);
      const mean = h.mean(-1, true);
      const centred = h.sub(mean);
      const variance = centred.square().mean(-1, true);
      const normed = centred.mul(tf.rsqrt(variance.add(1e-5))).mul(p.ln_g).add(p.ln_b);
      return normed.mul(p.scale) as tf.Tensor2D;
    });
  }

  /**
   * Injects the features into token embeddings.
   * embeds [B, T, H]; features [B, F]; positions [B]: per sequence, the first real token
   * ("first-token") or the <JET_FEATURES> token ("token"). Returns new embeddings [B, T, H].
   */
  inject(embeds: tf.Tensor3D, features: tf.Tensor2D, positions: number[]): tf.Tensor3D {
    if (this.cfg.mode === "off") return embeds;
    const [b, t] = embeds.shape;
    if (positions.length !== b) throw new Error(`fusion: ${positions.length} positions for a batch of ${b}`);
    return tf.tidy(() => {
      const onehot = new Float32Array(b * t);
      positions.forEach((pos, i) => {
        if (pos < 0 || pos >= t) throw new Error(`fusion: position ${pos} outside a sequence of ${t} tokens (row ${i})`);
        onehot[i * t + pos] = 1;
      });
      const mask = tf.tensor3d(onehot, [b, t, 1]);
      const v = this.vector(features).expandDims(1); // [B, 1, H]
      const added = mask.mul(v); // v at the chosen positions, zero elsewhere
      return embeds.add(added) as tf.Tensor3D;
    });
  }

  /** Tensors in the saved layout: PyTorch names, Linear weights as [out, in] (call inside tf.tidy: the transposes are new tensors). */
  namedTensors(): Map<string, tf.Tensor> {
    const p = this.params;
    return new Map<string, tf.Tensor>([
      ["fc1.weight", p.w1.transpose()],
      ["fc1.bias", p.b1],
      ["fc2.weight", p.w2.transpose()],
      ["fc2.bias", p.b2],
      ["fc3.weight", p.w3.transpose()],
      ["fc3.bias", p.b3],
      ["norm.weight", p.ln_g],
      ["norm.bias", p.ln_b],
      ["scale", p.scale.reshape([1])],
    ]);
  }

  /** Loads tensors saved by namedTensors (name → flat data and shape); errors name the tensor. */
  loadNamed(get: (name: string) => { shape: number[]; data: Float32Array } | undefined): void {
    const p = this.params;
    const take = (name: string, v: tf.Variable, transpose: boolean): void => {
      const t = get(name);
      if (!t) throw new Error(`fusion adapter: tensor ${name} is missing`);
      const want = transpose ? [...v.shape].reverse() : v.shape.length === 0 ? [1] : v.shape;
      if (t.shape.join(",") !== want.join(",")) throw new Error(`fusion adapter: ${name} has shape [${t.shape}], expected [${want}]`);
      tf.tidy(() => {
        const x = tf.tensor(t.data, t.shape);
        v.assign(transpose ? x.transpose() : x.reshape(v.shape));
      });
    };
    take("fc1.weight", p.w1, true);
    take("fc1.bias", p.b1, false);
    take("fc2.weight", p.w2, true);
    take("fc2.bias", p.b2, false);
    take("fc3.weight", p.w3, true);
    take("fc3.bias", p.b3, false);
    take("norm.weight", p.ln_g, false);
    take("norm.bias", p.ln_b, false);
    take("scale", p.scale, false);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
