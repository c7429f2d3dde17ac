/**
 * The token embedding table E [V, D]. Rows are gathered on the host (a copy of D floats per
 * token), so the table never needs a device-side gather kernel or gradient; in low-memory mode it
 * is held as bfloat16 bits.
 */
import * as tf from "@tensorflow/tfjs";
import { Bf16Bits, bf16ToF32, f32ToBf16 } from "../io/half";

export class Embedding {
  readonly vocabSize: number;
  readonly dim: number;
  private f32: Float32Array | undefined;
  private bf16: Uint16Array | undefined;

  /** `table` [V, D] as float32 or bfloat16 bits; low-memory mode keeps bfloat16 bits. */
  constructor(table: Float32Array | Bf16Bits, vocabSize: number, dim: number, lowMemory = false) {
    const n = table instanceof Float32Array ? table.length : table.bf16.length;
    if (n !== vocabSize * dim) throw new Error(`model.embed_tokens.weight: expected [${vocabSize}, ${dim}], got ${n} values`);
    this.vocabSize = vocabSize;
    this.dim = dim;
    if (table instanceof Float32Array) {
      if (lowMemory) this.bf16 = f32ToBf16(table);
      else this.f32 = table;
    } else if (lowMemory) this.bf16 = table.bf16;
    else this.f32 = bf16ToF32(table.bf16);
  }

  /** Whether the table is held as bfloat16 bits. */
  get lowMemory(): boolean {
    return this.bf16 !== undefined;
  }

  /** The whole table as float32 [V, D] (host; for saving or tying the output head). */
  table(): Float32Array {
    return this.f32 ?? bf16ToF32(this.bf16!);
  }

  /** ids (flat, B·T) → [B·T, D]; throws on an id outside the vocabulary. */
  lookup(ids: ArrayLike<number>): tf.Tensor2D {
    const d = this.dim;
    const out = new Float32Array(ids.length * d);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) throw new Error(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
      if (this.f32) out.set(this.f32.subarray(id * d, id * d + d), i * d);
      else bf16ToF32(this.bf16!.subarray(id * d, id * d + d), out.subarray(i * d, i * d + d));
    }
    return tf.tensor2d(out, [ids.length, d]);
  }
}
