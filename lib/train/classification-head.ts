/**
 * A two-class linear head on the decoder's final-norm hidden state at the last prompt position
 * (the training config's `head: "linear"`): h [B, D] → logits [B, 2] = h·Wᵀ + b, class 0 =
 * background, class 1 = signal, P(signal) = softmax(logits)[1] = σ(z₁ − z₀).
 *
 * One forward pass per event and no answer tokens, so scoring needs no KV-cache fork. Saved as
 * `classification_head.safetensors` beside the adapters in PyTorch's nn.Linear layout:
 *   weight [2, D] (row 0 background, row 1 signal), bias [2]
 * so `torch.nn.Linear(D, 2).load_state_dict(safetensors.torch.load_file(f))` reads it as is.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../util/rng";
import { readTensorFile, writeTensorFile } from "./tensor-file";

export const HEAD_FILE = "classification_head.safetensors";

export class ClassificationHead {
  /** Kept as [D, 2] for a plain matMul; saved transposed. */
  readonly w: tf.Variable;
  /** [2]. */
  readonly b: tf.Variable;
  readonly hiddenSize: number;

  constructor(hiddenSize: number, seed: number) {
    this.hiddenSize = hiddenSize;
    // nn.Linear's default init U(−1/√D, 1/√D): non-zero, so the LoRA matrices get gradient from the first step.
    const rng = new Rng(seed);
    const bound = 1 / Math.sqrt(hiddenSize);
    const w = Float32Array.from({ length: hiddenSize * 2 }, () => rng.range(-bound, bound));
    const b = Float32Array.from({ length: 2 }, () => rng.range(-bound, bound));
    [this.w, this.b] = tf.tidy(() => [tf.variable(tf.tensor2d(w, [hiddenSize, 2]), true), tf.variable(tf.tensor1d(b), true)]);
  }

  variables(): tf.Variable[] {
    return [this.w, this.b];
  }

  /** Logits [B, 2] of hidden states [B, D]. */
  logits(h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(h, this.w).add(this.b) as tf.Tensor2D);
  }

  /**
   * Class-weighted mean cross-entropy: Σ w_i · (−log softmax(z_i)[y_i]) / Σ w_i.
   * labels [B] in {0, 1}; weights [B] (all 1 without class weights).
   */
  loss(h: tf.Tensor2D, labels: number[], weights: number[]): tf.Scalar {
    return tf.tidy(() => {
      const logp = tf.logSoftmax(this.logits(h));
      // One-hot product, not gather: wasm has no gather gradient.
      const picked = logp.mul(tf.oneHot(tf.tensor1d(labels, "int32"), 2)).sum(1);
      const w = tf.tensor1d(weights);
      return picked.mul(w).sum().neg().div(w.sum()) as tf.Scalar;
    });
  }

  /** P(signal) = σ(z₁ − z₀) per row of h [B, D]. */
  pSignal(h: tf.Tensor2D): number[] {
    const p = this.pSignalTensor(h);
    const v = Array.from(p.dataSync());
    p.dispose();
    return v;
  }

  /** P(signal) [B] as a tensor, for readers that cannot read synchronously (webgpu). */
  pSignalTensor(h: tf.Tensor2D): tf.Tensor {
    return tf.tidy(() => {
      const z = this.logits(h);
      return tf.sigmoid(z.slice([0, 1], [-1, 1]).sub(z.slice([0, 0], [-1, 1]))).reshape([-1]);
    });
  }

  save(file: string): void {
    const weight = tf.tidy(() => this.w.transpose().dataSync() as Float32Array);
    writeTensorFile(file, new Map([
      ["weight", { shape: [2, this.hiddenSize], data: Float32Array.from(weight) }],
      ["bias", { shape: [2], data: Float32Array.from(this.b.dataSync() as Float32Array) }],
    ]));
  }

  /** Reads a file written by save; errors name the file and the tensor. */
  load(file: string): void {
    const { tensors } = readTensorFile(file);
    const weight = tensors.get("weight");
    const bias = tensors.get("bias");
    if (!weight || !bias) throw new Error(`${file}: classification head needs tensors "weight" and "bias"`);
    if (weight.shape.join(",") !== `2,${this.hiddenSize}`) throw new Error(`${file}: weight has shape [${weight.shape}], expected [2,${this.hiddenSize}]`);
    if (bias.shape.join(",") !== "2") throw new Error(`${file}: bias has shape [${bias.shape}], expected [2]`);
    tf.tidy(() => {
      this.w.assign(tf.tensor2d(weight.data, [2, this.hiddenSize]).transpose());
      this.b.assign(tf.tensor1d(bias.data));
    });
  }

  dispose(): void {
    this.w.dispose();
    this.b.dispose();
  }
}
