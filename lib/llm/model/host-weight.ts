/**
 * A frozen weight W [in, out] held on the host as bfloat16 bits, in column blocks, for
 * low-memory mode. A product expands one block at a time to float32 on the device, in the
 * forward pass and again in the backward (recomputation instead of keeping W), so the device
 * never holds more than one block of any weight: the wasm heap's high-water mark no longer grows
 * with the widest matrix (Mistral-7B's lm_head is 4096 × 32000, 524 MB as float32, and the heap
 * tops out at 4 GB).
 *
 *   forward   y = [x·W₀ | x·W₁ | …]               (W_k = columns [k·C, (k+1)·C) of W)
 *   backward  dX = Σ_k dY[:, cols_k] · W_kᵀ        (only dX: W is frozen)
 *
 * Every product is a plain 2-D matMul (the fast path on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { bf16ToF32 } from "../io/half";
import { expandBf16 } from "../kernels/expand-bf16";
import { tapeActive } from "../kernels/matmul";

/** Float32 values per expanded block (32 MB): big enough that products stay efficient, small beside the heap. */
export const BLOCK_VALUES = 8 * 1024 * 1024;

export class HostWeight {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Column block k: W[:, starts[k] .. starts[k+1]) as bf16 bits, [in, cols_k] row-major. */
  private readonly blocks: Uint16Array[] = [];
  private readonly starts: number[] = [0];

  /** `bitsOI`: W in Hugging Face layout [out, in] as bf16 bits (row-major). */
  constructor(bitsOI: Uint16Array, inFeatures: number, outFeatures: number, blockValues = BLOCK_VALUES) {
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    // Columns per block: a multiple of 64 (SIMD-friendly widths), at least 64.
    const cols = Math.max(64, Math.floor(blockValues / inFeatures / 64) * 64);
    for (let c0 = 0; c0 < outFeatures; c0 += cols) {
      const c1 = Math.min(outFeatures, c0 + cols);
      const w = c1 - c0;
      const block = new Uint16Array(inFeatures * w);
      // Block[i, j] = W[i, c0 + j] = bitsOI[(c0 + j)·in + i]: a transpose of rows c0..c1 of bitsOI.
      for (let j = 0; j < w; j++) {
        const row = (c0 + j) * inFeatures;
        for (let i = 0; i < inFeatures; i++) block[i * w + j] = bitsOI[row + i];
      }
      this.blocks.push(block);
      this.starts.push(c1);
    }
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  /** x [N, in] → x·W [N, out]; under a tape, the backward expands each block again. */
  matMul(x: tf.Tensor2D): tf.Tensor2D {
    if (!tapeActive()) return tf.tidy(() => this.forward(x));
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: this.forward(args[0] as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor) => [tf.tidy(() => this.backward(dy as tf.Tensor2D))],
    }));
    return f(x) as tf.Tensor2D;
  }

  /** W as float32 [in, out] (a new tensor; the caller disposes it). */
  toTensorIO(): tf.Tensor2D {
    const out = new Float32Array(this.inFeatures * this.outFeatures);
    this.blocks.forEach((b, k) => {
      const c0 = this.starts[k];
      const w = this.starts[k + 1] - c0;
      const f = bf16ToF32(b);
      for (let i = 0; i < this.inFeatures; i++) out.set(f.subarray(i * w, i * w + w), i * this.outFeatures + c0);
    });
    return tf.tensor2d(out, [this.inFeatures, this.outFeatures]);
  }

  private forward(x: tf.Tensor2D): tf.Tensor2D {
    const parts = this.blocks.map((b, k) => {
      const w = expandBf16(b, this.inFeatures, this.starts[k + 1] - this.starts[k]);
      const y: tf.Tensor2D = tf.matMul(x, w);
      w.dispose(); // before the next block is expanded
      return y;
    });
    if (parts.length === 1) return parts[0];
    const y = tf.concat(parts, 1) as tf.Tensor2D;
    parts.forEach((p) => p.dispose());
    return y;
  }

  private backward(dy: tf.Tensor2D): tf.Tensor2D {
    const n = dy.shape[0];
    let dx: tf.Tensor2D | undefined;
    this.blocks.forEach((b, k) => {
      const c0 = this.starts[k];
      const w = this.starts[k + 1] - c0;
      const wk = expandBf16(b, this.inFeatures, w);
      const wkT = tf.transpose(wk); // a copy, then a plain product (fast on wasm)
      wk.dispose();
      const dyk: tf.Tensor2D = this.blocks.length === 1 ? dy : tf.slice(dy, [0, c0], [n, w]);
      const term = tf.matMul(dyk, wkT) as tf.Tensor2D;
      wkT.dispose();
      if (dyk !== dy) dyk.dispose();
      if (!dx) dx = term;
      else {
        const sum = tf.add(dx, term) as tf.Tensor2D;
        dx.dispose();
        term.dispose();
        dx = sum;
      }
    });
    return dx!;
  }
}
