/**
 * An inference copy of a decoder with its LoRA branches folded into the weights: every adapted
 * projection becomes one plain product x·(W + s·A·B) instead of x·W + s·(x·A)·B (three products
 * and an add). For scoring, where the adapter is frozen for the duration of a pass over the
 * events. The model itself is never changed (merging in place and subtracting again would not
 * restore W bit for bit, and training goes on after an evaluation).
 *
 * The copy shares the embedding table, the norms and every projection without LoRA; it owns
 * only the merged projections, which `dispose()` frees. Folding needs resident float32
 * weights: for low-memory (bfloat16 host) models, or when the merged copies would exceed
 * `maxBytes`, the model is returned as is (the branches stay, results are the same).
 */
import * as tf from "@tensorflow/tfjs";
import { Decoder, LayerWeights, Linear, LM } from "../llm";

/** A model to run forward passes on, and what to free afterwards. */
export interface InferenceView {
  model: LM;
  dispose(): void;
}

/** Default cap on the merged copies: 256 MB of float32 (the demo model needs ~0.3 MB). */
export const MERGE_MAX_BYTES = 256 * 2 ** 20;

/** The decoder with every LoRA branch folded into a fresh copy of its projection (see the file comment). */
export async function mergedView(model: LM, opts: { maxBytes?: number } = {}): Promise<InferenceView> {
  const keep: InferenceView = { model, dispose: () => undefined };
  if (!(model instanceof Decoder)) return keep;
  const adapted = model.linears().filter((l) => l.lora !== undefined && !l.merged);
  if (adapted.length === 0 || adapted.some((l) => l.lowMemory)) return keep;
  const bytes = adapted.reduce((n, l) => n + 4 * l.inFeatures * l.outFeatures, 0);
  if (bytes > (opts.maxBytes ?? MERGE_MAX_BYTES)) return keep;
  const made = new Map<Linear, Linear>();
  for (const l of adapted) {
    const lora = l.lora!;
    // W [in, out] + s·A·B, handed to the constructor in Hugging Face's [out, in] layout; read
    // outside tf.tidy (it walks a returned typed array entry by entry) and asynchronously (webgpu).
    const t = tf.tidy(() => tf.transpose(tf.add(l.weightIO(), tf.mul(tf.matMul(lora.a, lora.b), lora.scale))));
    const oi = (await t.data()) as Float32Array;
    t.dispose();
    made.set(l, new Linear(l.name, l.inFeatures, l.outFeatures, oi, { keepTransposed: false }));
  }
  const fold = (l: Linear): Linear => made.get(l) ?? l;
  const layers: LayerWeights[] = model.layers.map((layer) => ({
    inputNorm: layer.inputNorm,
    postNorm: layer.postNorm,
    attn: { q: fold(layer.attn.q), k: fold(layer.attn.k), v: fold(layer.attn.v), o: fold(layer.attn.o) },
    mlp: { gate: fold(layer.mlp.gate), up: fold(layer.mlp.up), down: fold(layer.mlp.down) },
  }));
  const view = new Decoder(model.config, { embedding: model.embedding, layers, norm: model.norm, head: fold(model.head) });
  return {
    model: view,
    dispose: () => {
      for (const m of made.values()) m.dispose();
    },
  };
}
