/**
 * Autoregressive generation with a KV cache: the prompt is processed once, then one token per
 * step. Greedy picks the arg-max (the first on ties, as torch.argmax); sampling divides the
 * logits by the temperature, keeps the smallest set of most probable tokens whose probability
 * reaches top-p (nucleus sampling, Holtzman et al. 2019) and draws from a seeded generator.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../util/rng";
import { LM } from "./decoder";
import { KVCache } from "./kv-cache";
import { HostReads, readAsync, readSync } from "../kernels/read";

export interface GenerateOptions {
  /** Stop after this many new tokens. */
  maxNewTokens: number;
  /** Arg-max decoding (the default unless a temperature is given). */
  greedy?: boolean;
  /** Softmax temperature for sampling (> 0). */
  temperature?: number;
  /** Nucleus mass in (0, 1] (default 1: the whole distribution). */
  topP?: number;
  /** Seed of the sampler (default 0). */
  seed?: number;
  /** Generation stops at any of these (not included in the result); default: the config's eos id. */
  stopIds?: number[];
  /** Called with each new id as it is produced (streaming). */
  onToken?: (id: number) => void;
  /** Embeddings of the prompt [1, P, D] used instead of embedding `promptIds` (e.g. with a fusion vector injected). */
  promptEmbeds?: tf.Tensor3D;
}

/** The new token ids after `promptIds` (the prompt itself is not repeated). Reads logits synchronously: not on webgpu (use generateAsync). */
export function generate(model: LM, promptIds: number[], opts: GenerateOptions): number[] {
  return readSync(decodeSteps(model, promptIds, opts));
}

/** generate, reading each step's logits with `await data()`: runs on every backend, webgpu included. */
export function generateAsync(model: LM, promptIds: number[], opts: GenerateOptions): Promise<number[]> {
  return readAsync(decodeSteps(model, promptIds, opts));
}

/**
 * The decoding loop without the read: yields each step's last-position logits [1, 1, V] and is
 * resumed with their values, so one loop serves the synchronous and the asynchronous reader.
 */
function* decodeSteps(model: LM, promptIds: number[], opts: GenerateOptions): HostReads<number[]> {
  if (promptIds.length === 0) throw new Error("generate: the prompt must hold at least one token (e.g. BOS)");
  if (!(Number.isInteger(opts.maxNewTokens) && opts.maxNewTokens >= 0)) throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${opts.maxNewTokens}`);
  const sampling = !opts.greedy && opts.temperature !== undefined && opts.temperature > 0;
  const topP = opts.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new Error(`generate: topP must be in (0, 1], got ${topP}`);
  const stop = new Set(opts.stopIds ?? (model.config.eosTokenId !== undefined ? [model.config.eosTokenId] : []));
  const rng = new Rng(opts.seed ?? 0);
  const cache = new KVCache(model.config.numLayers);
  const out: number[] = [];
  try {
    let input = promptIds;
    while (out.length < opts.maxNewTokens) {
      const embeds = out.length === 0 ? opts.promptEmbeds : undefined;
      const logits = tf.tidy(() => model.forward(tf.tensor2d([input], [1, input.length], "int32"), { cache, positions: "last", inputsEmbeds: embeds }));
      const values = yield logits;
      const id = sampling ? sampleTopP(values, opts.temperature!, topP, rng) : argmax(values);
      if (stop.has(id)) break;
      out.push(id);
      opts.onToken?.(id);
      input = [id];
    }
  } finally {
    cache.dispose();
  }
  return out;
}

/** Index of the largest value (the first one on ties). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Draws from softmax(logits / temperature) restricted to the top-p nucleus. */
export function sampleTopP(logits: ArrayLike<number>, temperature: number, topP: number, rng: Rng): number {
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i]);
  const p = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp((logits[i] - max) / temperature);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
  // Smallest prefix whose mass reaches topP (always at least the most probable token).
  let kept = 0;
  let mass = 0;
  while (kept < n && (kept === 0 || mass < topP * sum)) mass += p[order[kept++]];
  let u = rng.uniform() * mass;
  for (let k = 0; k < kept; k++) {
    u -= p[order[k]];
    if (u < 0) return order[k];
  }
  return order[kept - 1];
}
