/**
 * The decoder's hyper-parameters, read from and written to a Hugging Face `config.json` of
 * model_type "mistral" or "llama" (the two differ only in defaults: Llama has no sliding window).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface ModelConfig {
  /** Which HF architecture the folder declares; both run through the same decoder. */
  modelType: "mistral" | "llama";
  /** Rows of the embedding table and columns of the logits. */
  vocabSize: number;
  /** Width D of the residual stream. */
  hiddenSize: number;
  /** Width I of the SwiGLU MLP's hidden layer. */
  intermediateSize: number;
  /** Number of decoder blocks. */
  numLayers: number;
  /** Query heads H. */
  numHeads: number;
  /** Key/value heads (grouped-query attention: H must be a multiple). */
  numKvHeads: number;
  /** Width of one head (usually D / H, but Mistral lets it differ). */
  headDim: number;
  /** RoPE base frequency. */
  ropeTheta: number;
  /** Epsilon inside RMSNorm's square root. */
  rmsNormEps: number;
  /** Attention window W (query i sees keys i−W < j ≤ i), or null for full causal attention. */
  slidingWindow: number | null;
  /** Whether the output head reuses the embedding matrix. */
  tieWordEmbeddings: boolean;
  /** Longest sequence the rotary tables are meant for (informational; not enforced). */
  maxPositionEmbeddings: number;
  /** Beginning-of-sequence id, when the config names one. */
  bosTokenId?: number;
  /** End-of-sequence id, when the config names one (generation stops on it). */
  eosTokenId?: number;
}

type Json = Record<string, unknown>;

/** Reads and validates `<dir>/config.json`. */
export function readConfig(dir: string): ModelConfig {
  const file = path.join(dir, "config.json");
  let raw: Json;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch (err) {
    throw new Error(`${file}: cannot read model config: ${(err as Error).message}`);
  }
  return configFromJson(raw, file);
}

/** Converts a parsed HF config object; `source` names the file in error messages. */
export function configFromJson(raw: Json, source = "config.json"): ModelConfig {
  const fail = (field: string, why: string): never => {
    throw new Error(`${source}: field ${field} ${why}`);
  };
  const type = raw.model_type;
  if (type !== "mistral" && type !== "llama") fail("model_type", `must be "mistral" or "llama", got ${JSON.stringify(type)}`);
  const posInt = (field: string, fallback?: number): number => {
    const v = raw[field] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) fail(field, `must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const posNum = (field: string, fallback: number): number => {
    const v = raw[field] ?? fallback;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) fail(field, `must be a positive number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const optId = (field: string): number | undefined => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    const id = Array.isArray(v) ? v[0] : v; // some configs list several eos ids; the first one stops generation
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) fail(field, `must be a token id, got ${JSON.stringify(v)}`);
    return id as number;
  };
  const hiddenSize = posInt("hidden_size");
  const numHeads = posInt("num_attention_heads");
  const cfg: ModelConfig = {
    modelType: type as "mistral" | "llama",
    vocabSize: posInt("vocab_size"),
    hiddenSize,
    intermediateSize: posInt("intermediate_size"),
    numLayers: posInt("num_hidden_layers"),
    numHeads,
    numKvHeads: posInt("num_key_value_heads", numHeads),
    headDim: posInt("head_dim", Math.floor(hiddenSize / numHeads)),
    ropeTheta: posNum("rope_theta", 10000),
    rmsNormEps: posNum("rms_norm_eps", 1e-6),
    slidingWindow: null,
    tieWordEmbeddings: false,
    maxPositionEmbeddings: posInt("max_position_embeddings", 2048),
    bosTokenId: optId("bos_token_id"),
    eosTokenId: optId("eos_token_id"),
  };
  const sw = raw.sliding_window;
  if (sw !== undefined && sw !== null) {
    if (typeof sw !== "number" || !Number.isInteger(sw) || sw <= 0) fail("sliding_window", `must be a positive integer or null, got ${JSON.stringify(sw)}`);
    cfg.slidingWindow = sw as number;
  }
  const tie = raw.tie_word_embeddings;
  if (tie !== undefined && typeof tie !== "boolean") fail("tie_word_embeddings", `must be true or false, got ${JSON.stringify(tie)}`);
  cfg.tieWordEmbeddings = tie === true;
  const act = raw.hidden_act;
  if (act !== undefined && act !== "silu") fail("hidden_act", `must be "silu" (SwiGLU), got ${JSON.stringify(act)}`);
  if (raw.rope_scaling !== undefined && raw.rope_scaling !== null) fail("rope_scaling", "is not supported (plain RoPE only)");
  validateConfig(cfg, source);
  return cfg;
}

/** Checks the relations between fields; throws naming the source and the field. */
export function validateConfig(cfg: ModelConfig, source = "model config"): void {
  const ints: (keyof ModelConfig)[] = ["vocabSize", "hiddenSize", "intermediateSize", "numLayers", "numHeads", "numKvHeads", "headDim", "maxPositionEmbeddings"];
  for (const k of ints) {
    const v = cfg[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new Error(`${source}: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (cfg.numHeads % cfg.numKvHeads !== 0) throw new Error(`${source}: num_attention_heads (${cfg.numHeads}) must be a multiple of num_key_value_heads (${cfg.numKvHeads})`);
  if (cfg.headDim % 2 !== 0) throw new Error(`${source}: head_dim (${cfg.headDim}) must be even for rotary embeddings`);
  if (!(cfg.ropeTheta > 0)) throw new Error(`${source}: rope_theta must be positive`);
  if (!(cfg.rmsNormEps > 0)) throw new Error(`${source}: rms_norm_eps must be positive`);
  if (cfg.slidingWindow !== null && !(Number.isInteger(cfg.slidingWindow) && cfg.slidingWindow > 0)) throw new Error(`${source}: sliding_window must be a positive integer or null`);
  for (const k of ["bosTokenId", "eosTokenId"] as const) {
    const v = cfg[k];
    if (v !== undefined && (v < 0 || v >= cfg.vocabSize)) throw new Error(`${source}: ${k} ${v} is outside the vocabulary (${cfg.vocabSize})`);
  }
}

/** The Hugging Face `config.json` object for a config (loadable by transformers and by readConfig). */
export function configToJson(cfg: ModelConfig): Json {
  return {
    architectures: [cfg.modelType === "llama" ? "LlamaForCausalLM" : "MistralForCausalLM"],
    model_type: cfg.modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    num_key_value_heads: cfg.numKvHeads,
    head_dim: cfg.headDim,
    hidden_act: "silu",
    max_position_embeddings: cfg.maxPositionEmbeddings,
    rms_norm_eps: cfg.rmsNormEps,
    rope_theta: cfg.ropeTheta,
    sliding_window: cfg.slidingWindow,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    ...(cfg.bosTokenId !== undefined ? { bos_token_id: cfg.bosTokenId } : {}),
    ...(cfg.eosTokenId !== undefined ? { eos_token_id: cfg.eosTokenId } : {}),
    torch_dtype: "float32",
    attention_dropout: 0.0,
    use_cache: true,
  };
}
