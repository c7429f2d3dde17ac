/**
 * LoRA adapters (Hu et al. 2021) on the decoder's projections, saved and loaded in the PEFT
 * format so that an adapter moves between hepllm and Python PEFT unchanged:
 *   adapter_config.json        {"peft_type": "LORA", "r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", …}
 *   adapter_model.safetensors  base_model.model.<module>.lora_A.weight [r, in], ….lora_B.weight [out, r]
 * At the start A ~ U(−1/√in, 1/√in) (PEFT's kaiming_uniform_(a=√5)) and B = 0, so the adapted
 * model equals the base model. Scale s = alpha/r, or alpha/√r with rsLoRA.
 * Trainable token rows (`trainable_token_indices`, trainable-tokens.ts) are saved and read in the same files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeDirAtomic, writeFileAtomic } from "../../util/atomic";
import { Rng } from "../../util/rng";
import { LM } from "../model/decoder";
import { Linear } from "../model/linear";
import { SafetensorsFile, TensorToWrite, writeSafetensors } from "../io/safetensors";
import { applyTokenRows, EMBED_ROWS, HEAD_ROWS, parseTokenIndices, TokenIndices, TrainableTokens } from "./trainable-tokens";

export const LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export interface LoraConfig {
  /** Rank r of the update B·A. */
  r: number;
  /** Numerator of the scale. */
  alpha: number;
  /** Dropout rate on the branch input while training (PEFT's lora_dropout). */
  dropout?: number;
  /** Which projections get an adapter (in every layer). */
  targetModules: LoraTarget[];
  /** rsLoRA scaling alpha/√r instead of alpha/r (Kalajdzievski 2023). */
  useRslora?: boolean;
  /** Seed for A's initialisation (default 0). */
  seed?: number;
  /** Embedding rows trained beside the adapter (PEFT's trainable_token_indices), as read from a saved adapter. */
  trainableTokens?: TokenIndices;
}

const PREFIX = "base_model.model.";

/** s = alpha/r, or alpha/√r with rsLoRA. */
export function loraScale(cfg: LoraConfig): number {
  return cfg.useRslora ? cfg.alpha / Math.sqrt(cfg.r) : cfg.alpha / cfg.r;
}

export class LoraAdapter {
  readonly config: LoraConfig;
  readonly model: LM;
  /** The adapted projections, in layer order. */
  readonly modules: Linear[];
  private merged = false;

  constructor(model: LM, config: LoraConfig, modules: Linear[]) {
    this.model = model;
    this.config = config;
    this.modules = modules;
  }

  /** The trainable tensors: A then B of every module. */
  variables(): tf.Variable[] {
    return this.modules.flatMap((m) => [m.lora!.a, m.lora!.b]);
  }

  /** LoRA dropout on or off in the model's forward passes. */
  setTraining(on: boolean): void {
    this.model.training = on;
  }

  /** Seeds the dropout masks of the next forward passes (module i uses seed + i). */
  setDropoutSeed(seed: number): void {
    this.modules.forEach((m, i) => {
      if (m.lora) m.lora.seed = seed + i;
    });
  }

  /** Adds s·A·B into the base weights (forward passes then skip the branch). */
  merge(): void {
    if (this.merged) return;
    for (const m of this.modules) m.mergeLora(1);
    this.merged = true;
  }

  /** Subtracts s·A·B from the base weights again. */
  unmerge(): void {
    if (!this.merged) return;
    for (const m of this.modules) m.mergeLora(-1);
    this.merged = false;
  }

  /**
   * Folds s·A·B into the base weights for good and removes the branches: the model becomes a new
   * base model (how hepllm pre-trains a small base model through a high-rank adapter).
   */
  bake(): void {
    this.merge();
    for (const m of this.modules) {
      m.lora?.a.dispose();
      m.lora?.b.dispose();
      m.lora = undefined;
      m.merged = false;
    }
    this.merged = false;
  }

  /** Writes the adapter in PEFT layout (atomically replacing `dir`), with trainable token rows when given. */
  save(dir: string, baseModel = "", tokens?: TrainableTokens): void {
    const tensors: Record<string, TensorToWrite> = {};
    const r = this.config.r;
    tf.tidy(() => {
      for (const m of this.modules) {
        const l = m.lora!;
        tensors[`${PREFIX}${m.name}.lora_A.weight`] = { dtype: "F32", shape: [r, m.inFeatures], data: tf.transpose(l.a).dataSync() as Float32Array };
        tensors[`${PREFIX}${m.name}.lora_B.weight`] = { dtype: "F32", shape: [m.outFeatures, r], data: tf.transpose(l.b).dataSync() as Float32Array };
      }
    });
    const cfg = {
      peft_type: "LORA",
      task_type: "CAUSAL_LM",
      // An absolute path, so PEFT's AutoPeftModelForCausalLM finds the base model from anywhere;
      // a hub name (no such folder here) is written as given.
      base_model_name_or_path: baseModel !== "" && fs.existsSync(baseModel) ? path.resolve(baseModel) : baseModel,
      r: this.config.r,
      lora_alpha: this.config.alpha,
      lora_dropout: this.config.dropout ?? 0,
      target_modules: this.config.targetModules,
      use_rslora: this.config.useRslora ?? false,
      bias: "none",
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      modules_to_save: null,
      ...(tokens ? { trainable_token_indices: tokens.configValue() } : {}),
    };
    if (tokens) Object.assign(tensors, tokens.tensors());
    writeDirAtomic(dir, (tmp) => {
      writeFileAtomic(path.join(tmp, "adapter_config.json"), JSON.stringify(cfg, null, 2) + "\n");
      writeSafetensors(path.join(tmp, "adapter_model.safetensors"), tensors, { format: "pt" });
    });
  }

  /** Replaces A and B with those saved in `dir` (same rank and targets). */
  load(dir: string): void {
    const cfg = readLoraConfig(dir);
    if (cfg.r !== this.config.r) throw new Error(`${dir}/adapter_config.json: r is ${cfg.r}, this adapter has r = ${this.config.r}`);
    const file = path.join(dir, "adapter_model.safetensors");
    const st = new SafetensorsFile(file);
    try {
      if (this.merged) throw new Error(`${dir}: unmerge the adapter before loading new weights`);
      for (const m of this.modules) {
        const l = m.lora!;
        const get = (suffix: string, shape: number[]): tf.Tensor2D => {
          const name = `${PREFIX}${m.name}.${suffix}`;
          if (!st.tensors.has(name)) throw new Error(`${file}: missing tensor ${JSON.stringify(name)}`);
          const info = st.info(name);
          if (info.shape.join(",") !== shape.join(",")) throw new Error(`${file}: tensor ${JSON.stringify(name)} has shape [${info.shape}], expected [${shape}]`);
          return tf.tensor2d(st.readFloat32(name), shape as [number, number]);
        };
        tf.tidy(() => {
          l.a.assign(tf.transpose(get("lora_A.weight", [cfg.r, m.inFeatures])));
          l.b.assign(tf.transpose(get("lora_B.weight", [m.outFeatures, cfg.r])));
        });
      }
      // A tensor hepllm would not use (a DoRA magnitude vector, a LoRA bias, a saved module, an
      // extra layer) means the file describes a different model: refuse rather than ignore it.
      const used = new Set(this.modules.flatMap((m) => [`${PREFIX}${m.name}.lora_A.weight`, `${PREFIX}${m.name}.lora_B.weight`]));
      // Token rows are read by whoever applies them (applyTokenRows, or a classifier's own TrainableTokens).
      if (cfg.trainableTokens) for (const name of [EMBED_ROWS, HEAD_ROWS]) used.add(name);
      for (const name of st.tensors.keys()) {
        if (!used.has(name)) throw new Error(`${file}: tensor ${JSON.stringify(name)} is not a LoRA A/B weight of this model's targets (${this.config.targetModules.join(", ")})${cfg.trainableTokens ? " nor a trainable token row" : ""}; hepllm does not implement it`);
      }
    } finally {
      st.close();
    }
  }

  /** Removes the branches from the model (unmerging first) and frees A and B. */
  dispose(): void {
    this.unmerge();
    for (const m of this.modules) {
      m.lora?.a.dispose();
      m.lora?.b.dispose();
      m.lora = undefined;
    }
  }
}

/** Adds fresh adapters (A random, B zero) to every targeted projection of the model. */
export function applyLora(model: LM, cfg: LoraConfig): LoraAdapter {
  validateLoraConfig(cfg, "LoRA config");
  const rng = new Rng(cfg.seed ?? 0);
  const scale = loraScale(cfg);
  const modules = model.linears().filter((m) => (cfg.targetModules as string[]).includes(m.name.split(".").pop()!));
  for (const m of modules) {
    if (m.lora) throw new Error(`${m.name} already has a LoRA adapter`);
    const bound = 1 / Math.sqrt(m.inFeatures);
    const a = new Float32Array(m.inFeatures * cfg.r);
    for (let i = 0; i < a.length; i++) a[i] = rng.range(-bound, bound);
    // tidy frees the tensors the variables were made from (their buffers would outlive the first assign).
    m.lora = tf.tidy(() => ({
      a: tf.variable(tf.tensor2d(a, [m.inFeatures, cfg.r]), true),
      b: tf.variable(tf.zeros([cfg.r, m.outFeatures]), true),
      scale,
      dropout: cfg.dropout ?? 0,
    }));
    m.merged = false;
  }
  return new LoraAdapter(model, cfg, modules);
}

/**
 * Files beside the LoRA weights of a hepllm classifier checkpoint that are further trained parts
 * of the classifier, which a model fed token ids alone cannot apply (the fusion adapter needs each
 * event's jet features).
 */
export const CLASSIFIER_PARTS = ["fusion_adapter.safetensors"];

/**
 * Reads an adapter folder written by hepllm or PEFT and attaches it to the model. A hepllm
 * classifier checkpoint with a fusion adapter is refused unless `loraOnly` says to use its LoRA
 * weights alone: silently dropping the fusion adapter would change every answer.
 */
export function loadAdapter(model: LM, dir: string, opts: { loraOnly?: boolean } = {}): LoraAdapter {
  if (!opts.loraOnly) {
    for (const part of CLASSIFIER_PARTS) {
      if (fs.existsSync(path.join(dir, part))) {
        throw new Error(
          `${dir}: this checkpoint has a numeric fusion adapter (${part}) that needs each event's jet features, ` +
            `and this command feeds the model token ids only, so it cannot apply the checkpoint whole. ` +
            `Score events with \`hepllm eval --run <run folder>\` (or the agents' classify_event tool), ` +
            `or pass --lora-only to use the LoRA weights without the fusion adapter.`,
        );
      }
    }
  }
  const cfg = readLoraConfig(dir);
  const adapter = applyLora(model, cfg);
  try {
    adapter.load(dir);
    if (cfg.trainableTokens) {
      const file = path.join(dir, "adapter_model.safetensors");
      const st = new SafetensorsFile(file);
      try {
        applyTokenRows(model, st, file, cfg.trainableTokens, tokenizerSize(dir));
      } finally {
        st.close();
      }
    }
  } catch (err) {
    adapter.dispose();
    throw err;
  }
  return adapter;
}

/**
 * Token count of `<dir>/tokenizer.json` (largest id + 1), 0 without one: AutoPeftModelForCausalLM
 * grows the base model's vocabulary to the adapter folder's tokenizer.
 */
function tokenizerSize(dir: string): number {
  const file = path.join(dir, "tokenizer.json");
  if (!fs.existsSync(file)) return 0;
  let json: { model?: { vocab?: Record<string, number> }; added_tokens?: Array<{ id?: number }> };
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8")) as typeof json;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const ids = [...Object.values(json.model?.vocab ?? {}), ...(json.added_tokens ?? []).map((t) => t.id ?? -1)];
  return ids.reduce((m, i) => (Number.isInteger(i) && i + 1 > m ? i + 1 : m), 0);
}

/**
 * adapter_config.json fields hepllm reads and implements. Every other field must be absent or
 * "off" (null, false, {} or []) — see readLoraConfig.
 */
const IMPLEMENTED_FIELDS = ["peft_type", "r", "lora_alpha", "lora_dropout", "target_modules", "use_rslora", "bias", "fan_in_fan_out", "trainable_token_indices"];

/**
 * Fields that never change the adapted model's forward pass, whatever their value: metadata, and
 * initialisation recipes (LoftQ, EVA, CorDA, LoRA-GA, init_lora_weights) that only decide the
 * starting A and B — the saved tensors are what count. megatron_core and qalora_group_size carry
 * non-null defaults that matter only when megatron_config / use_qalora are on (refused below).
 */
const INERT_FIELDS = [
  "base_model_name_or_path", "revision", "task_type", "inference_mode", "auto_mapping", "peft_version",
  "init_lora_weights", "loftq_config", "eva_config", "corda_config", "lora_ga_config", "megatron_core",
  "qalora_group_size", "ensure_weight_tying",
];

/** A field value that leaves a PEFT feature switched off. */
function isOff(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && Object.keys(v as object).length === 0;
}

/** PEFT's "all-linear": every linear layer of the decoder blocks (not lm_head), i.e. all seven projections. */
const ALL_LINEAR = "all-linear";

/**
 * Parses `<dir>/adapter_config.json` (PEFT) and refuses, naming the field, anything hepllm does not
 * implement: DoRA (`use_dora`), `lora_bias`, other PEFT types, per-layer patterns, extra trained
 * modules, and any field a newer PEFT adds that is switched on — loading such an adapter as plain
 * LoRA would give silently wrong logits (a DoRA adapter is off by O(10) in the logits).
 */
export function readLoraConfig(dir: string): LoraConfig {
  const file = path.join(dir, "adapter_config.json");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file}: cannot read adapter config: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${file}: adapter config must be a JSON object`);
  if (raw.peft_type !== undefined && raw.peft_type !== "LORA") throw new Error(`${file}: field peft_type is ${JSON.stringify(raw.peft_type)}; hepllm implements only "LORA"`);
  for (const [k, v] of Object.entries(raw)) {
    if (IMPLEMENTED_FIELDS.includes(k) || INERT_FIELDS.includes(k) || isOff(v)) continue;
    throw new Error(`${file}: field ${k} = ${JSON.stringify(v)} is not supported by hepllm (it implements plain LoRA and rsLoRA on every layer); loading it as plain LoRA would give wrong outputs`);
  }
  if (raw.fan_in_fan_out === true) throw new Error(`${file}: field fan_in_fan_out = true is not supported (Llama/Mistral projections are nn.Linear)`);
  if (raw.bias !== undefined && raw.bias !== "none") throw new Error(`${file}: field bias must be "none", got ${JSON.stringify(raw.bias)}`);
  let targets = raw.target_modules;
  if (targets === ALL_LINEAR) targets = [...LORA_TARGETS];
  else if (typeof targets === "string") {
    // PEFT treats any other string as a regular expression over module names: accept only a bare projection name.
    if (!(LORA_TARGETS as readonly string[]).includes(targets)) throw new Error(`${file}: field target_modules is the pattern ${JSON.stringify(targets)}; hepllm accepts a list of projection names or "all-linear"`);
    targets = [targets];
  }
  const cfg: LoraConfig = {
    r: raw.r as number,
    alpha: (raw.lora_alpha ?? 8) as number,
    dropout: (raw.lora_dropout ?? 0) as number,
    targetModules: targets as LoraTarget[],
    useRslora: raw.use_rslora === true,
  };
  if (!isOff(raw.trainable_token_indices)) cfg.trainableTokens = parseTokenIndices(raw.trainable_token_indices, file);
  validateLoraConfig(cfg, file);
  return cfg;
}

function validateLoraConfig(cfg: LoraConfig, source: string): void {
  if (!(Number.isInteger(cfg.r) && cfg.r > 0)) throw new Error(`${source}: r must be a positive integer, got ${JSON.stringify(cfg.r)}`);
  if (!(typeof cfg.alpha === "number" && cfg.alpha > 0)) throw new Error(`${source}: lora_alpha must be positive, got ${JSON.stringify(cfg.alpha)}`);
  const d = cfg.dropout ?? 0;
  if (!(d >= 0 && d < 1)) throw new Error(`${source}: lora_dropout must be in [0, 1), got ${d}`);
  if (!Array.isArray(cfg.targetModules) || cfg.targetModules.length === 0) throw new Error(`${source}: target_modules must list projections (${LORA_TARGETS.join(", ")})`);
  for (const t of cfg.targetModules) {
    if (!(LORA_TARGETS as readonly string[]).includes(t)) throw new Error(`${source}: target_modules entry ${JSON.stringify(t)} is not one of ${LORA_TARGETS.join(", ")}`);
  }
}
