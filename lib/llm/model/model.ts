/**
 * Model folders in Hugging Face layout: `config.json` + `model.safetensors` (or shards with
 * `model.safetensors.index.json`) + tokenizer files. Tensor names follow transformers'
 * MistralForCausalLM / LlamaForCausalLM (`model.layers.{i}.self_attn.q_proj.weight`, …), weights in
 * [out, in] layout.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeDirAtomic, writeFileAtomic } from "../../util/atomic";
import { Rng } from "../../util/rng";
import { initBackend } from "../kernels/backend";
import { resolveLowMemory } from "../kernels/kernels";
import { configToJson, ModelConfig, readConfig, validateConfig } from "./config";
import { Decoder, LayerWeights } from "./decoder";
import { Embedding } from "./embedding";
import { Linear } from "./linear";
import { checkPlan, describePlan, memoryPlan } from "./memory-plan";
import { Checkpoint, TensorToWrite, writeSafetensors } from "../io/safetensors";
import { Bf16Bits, bf16ToF32 } from "../io/half";

export interface LoadOptions {
  /**
   * Keep frozen weights at 16 bits: bfloat16 on the host, expanded per product (forward and
   * backward), or half precision on a WebGPU device. Unset: on only where the backend prefers it
   * (a GPU adapter with shader-f16; kernels.ts `halfByDefault`); false keeps float32 everywhere.
   */
  lowMemory?: boolean;
  /** Also keep each weight's [out, in] copy on the device for fast backward passes (default true; ignored with lowMemory). */
  keepTransposed?: boolean;
  /** Where the one-line size/dtype/memory summary goes before loading (default stderr; null = nowhere). */
  log?: ((line: string) => void) | null;
}

/** Tokenizer files copied along with a saved model. */
export const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "tokenizer.model.v3", "generation_config.json"];

/**
 * A source of weights in HF layout, by name and expected shape: float32, or bfloat16 bits (a bf16
 * checkpoint read for low-memory mode, which then never holds the model as float32 on the host).
 */
export type WeightSource = (name: string, shape: number[]) => Float32Array | Bf16Bits;

/** Assembles a Decoder from named weights. */
export function buildDecoder(cfg: ModelConfig, get: WeightSource, options: LoadOptions = {}): Decoder {
  validateConfig(cfg);
  const opts = { ...options, lowMemory: resolveLowMemory(options.lowMemory) };
  const { hiddenSize: d, intermediateSize: inter, numHeads: h, numKvHeads: kv, headDim: hd, vocabSize: v } = cfg;
  const lo = { lowMemory: opts.lowMemory, keepTransposed: opts.keepTransposed };
  const linear = (name: string, inF: number, outF: number): Linear => new Linear(name, inF, outF, get(`${name}.weight`, [outF, inF]), lo);
  const vector = (name: string): tf.Tensor1D => {
    const g = get(name, [d]);
    return tf.keep(tf.tensor1d(g instanceof Float32Array ? g : bf16ToF32(g.bf16)));
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < cfg.numLayers; i++) {
    const p = `model.layers.${i}`;
    layers.push({
      inputNorm: vector(`${p}.input_layernorm.weight`),
      attn: {
        q: linear(`${p}.self_attn.q_proj`, d, h * hd),
        k: linear(`${p}.self_attn.k_proj`, d, kv * hd),
        v: linear(`${p}.self_attn.v_proj`, d, kv * hd),
        o: linear(`${p}.self_attn.o_proj`, h * hd, d),
      },
      postNorm: vector(`${p}.post_attention_layernorm.weight`),
      mlp: {
        gate: linear(`${p}.mlp.gate_proj`, d, inter),
        up: linear(`${p}.mlp.up_proj`, d, inter),
        down: linear(`${p}.mlp.down_proj`, inter, d),
      },
    });
  }
  const table = get("model.embed_tokens.weight", [v, d]);
  const embedding = new Embedding(table, v, d, opts.lowMemory);
  const head = cfg.tieWordEmbeddings ? new Linear("lm_head", d, v, table, lo) : linear("lm_head", d, v);
  const model = new Decoder(cfg, { embedding, layers, norm: vector("model.norm.weight"), head });
  model.recomputeLayers = !!opts.lowMemory; // the heap, not time, is what low-memory mode saves
  return model;
}

/** Loads `<dir>/config.json` and its safetensors weights (initialising the backend if needed). */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Decoder> {
  await initBackend();
  const opts = { ...options, lowMemory: resolveLowMemory(options.lowMemory) };
  const cfg = readConfig(dir);
  const ckpt = new Checkpoint(dir);
  try {
    // Say what is coming, and refuse what can't fit, before reading gigabytes.
    const dtypes = [...new Set(ckpt.names().map((n) => ckpt.info(n).dtype))].sort().join("+");
    const plan = memoryPlan(cfg, { lowMemory: opts.lowMemory, keepTransposed: opts.keepTransposed, diskDtype: dtypes });
    const log = opts.log === undefined ? (line: string) => console.error(line) : opts.log;
    log?.(describePlan(dir, plan, tf.getBackend()));
    checkPlan(dir, plan, tf.getBackend());
    return buildDecoder(
      cfg,
      (name, shape) => {
        if (!ckpt.has(name)) throw new Error(`${dir}: checkpoint has no tensor ${JSON.stringify(name)} (needed by config.json)`);
        const info = ckpt.info(name);
        if (info.shape.join(",") !== shape.join(",")) throw new Error(`${info.file}: tensor ${JSON.stringify(name)} has shape [${info.shape}], config.json implies [${shape}]`);
        // Low-memory mode keeps bf16 bits: take a bf16 file's bits as they are, no float32 copy.
        if (opts.lowMemory && info.dtype === "BF16") return { bf16: ckpt.readRaw(name).data as Uint16Array };
        return ckpt.readFloat32(name);
      },
      opts,
    );
  } finally {
    ckpt.close();
  }
}

/** A randomly initialised model as transformers does it: N(0, 0.02) matrices, unit norm gains. */
export function initModel(cfg: ModelConfig, seed: number, opts: LoadOptions = {}): Decoder {
  const rng = new Rng(seed);
  return buildDecoder(
    cfg,
    (name, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(n);
      if (shape.length === 1) out.fill(1);
      else for (let i = 0; i < n; i++) out[i] = 0.02 * rng.normal();
      return out;
    },
    opts,
  );
}

/** All weights in HF names and layout (LoRA included only if merged). */
export function modelTensors(model: Decoder, dtype: "F32" | "BF16" | "F16" = "F32"): Record<string, TensorToWrite> {
  const cfg = model.config;
  const out: Record<string, TensorToWrite> = {};
  const put = (name: string, shape: number[], data: Float32Array): void => {
    out[name] = { dtype, shape, data };
  };
  put("model.embed_tokens.weight", [cfg.vocabSize, cfg.hiddenSize], model.embedding.table());
  model.layers.forEach((l, i) => {
    put(`model.layers.${i}.input_layernorm.weight`, [cfg.hiddenSize], l.inputNorm.dataSync() as Float32Array);
    put(`model.layers.${i}.post_attention_layernorm.weight`, [cfg.hiddenSize], l.postNorm.dataSync() as Float32Array);
  });
  put("model.norm.weight", [cfg.hiddenSize], model.norm.dataSync() as Float32Array);
  for (const lin of model.linears()) {
    if (lin === model.head && cfg.tieWordEmbeddings) continue;
    put(`${lin.name}.weight`, [lin.outFeatures, lin.inFeatures], lin.weightOI());
  }
  return out;
}

/**
 * Writes a complete model folder atomically: config.json, model.safetensors and, from
 * `tokenizerDir`, whichever tokenizer files it has.
 */
export function saveModel(model: Decoder, dir: string, tokenizerDir?: string, opts: { dtype?: "F32" | "BF16" | "F16" } = {}): void {
  const tensors = modelTensors(model, opts.dtype);
  writeDirAtomic(dir, (tmp) => {
    writeFileAtomic(path.join(tmp, "config.json"), JSON.stringify(configToJson(model.config), null, 2) + "\n");
    writeSafetensors(path.join(tmp, "model.safetensors"), tensors, { format: "pt" });
    if (tokenizerDir) {
      let copied = 0;
      for (const f of TOKENIZER_FILES) {
        const src = path.join(tokenizerDir, f);
        if (fs.existsSync(src)) {
          fs.copyFileSync(src, path.join(tmp, f));
          copied++;
        }
      }
      if (copied === 0) throw new Error(`${tokenizerDir}: no tokenizer files (${TOKENIZER_FILES.join(", ")})`);
    }
  });
}
