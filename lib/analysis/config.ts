/**
 * The configuration of an analysis campaign (a JSON file): which supervisor and coder models, which
 * steps, how many repeats, and the limits. Paths are relative to the current folder. Example:
 *   { "run": "demo", "data": "../shared/fixtures/lhco/events_anomalydetection_tiny.h5", "events": 200,
 *     "base_url": "http://127.0.0.1:8000/v1", "api_key_env": "OPENAI_API_KEY",
 *     "supervisors": ["gpt-4o"], "coders": ["gpt-4o-mini", {"model": "qwen", "base_url": "http://gpu:8000/v1"}],
 *     "steps": [1, 2, 3, 4, 5], "repeats": 3, "max_iterations": 3, "concurrency": 4,
 *     "sandbox": { "timeout_s": 120, "memory_mb": 4096, "isolation": "auto" } }
 */
import * as fs from "node:fs";
import { ISOLATION_CHOICES, IsolationChoice, UNSAFE_NO_SANDBOX } from "./isolation/backend";
import { parseStep, StepId } from "./steps";
import { DEFAULT_TOLERANCE, Tolerance } from "./validate";

export interface ModelConfig {
  /** Model id sent to the endpoint. */
  model: string;
  /** Endpoint (with /v1); default: the config's base_url, else OPENAI_BASE_URL / endpoints file. */
  baseURL?: string;
  /** Environment variable holding the API key. */
  apiKeyEnv?: string;
}

export interface AnalysisConfig {
  /** Name of the campaign: results go to <resultsDir>/<run>/. */
  run: string;
  /** Results root; results_summary.csv lives here (default "results"). */
  resultsDir: string;
  /** The LHCO HDF5 file the steps analyse. */
  data: string;
  /** Use only the first N events (a smaller copy is written); undefined: the whole file. */
  events?: number;
  supervisors: ModelConfig[];
  coders: ModelConfig[];
  steps: StepId[];
  /** Independent trials per (supervisor, coder, step) (statistics need several). */
  repeats: number;
  /** Programs per step at most (issue default 3). */
  maxIterations: number;
  /** Steps run at the same time (each holds a sandboxed node process and model calls). */
  concurrency: number;
  /** isolation: auto (bwrap, else unshare; refuses when neither works), or UNSAFE_NO_SANDBOX to opt out. */
  sandbox: { timeoutMs: number; memoryMb: number; isolation: IsolationChoice };
  tolerance: Tolerance;
  /** Model for the errors no rule recognises; absent: those stay "other". */
  categoriser?: ModelConfig;
  /** Sampling temperature for supervisor and coder (0 by default, for repeatability). */
  temperature: number;
}

type Raw = Record<string, unknown>;

/** Validates a parsed config; `source` names the file in errors. */
export function parseConfig(raw: unknown, source = "config"): AnalysisConfig {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${source}: expected a JSON object`);
  const r = raw as Raw;
  const str = (k: string, def?: string): string => {
    const v = r[k] ?? def;
    if (typeof v !== "string" || v === "") throw new Error(`${source}: "${k}" must be a non-empty string`);
    return v;
  };
  const posInt = (obj: Raw, k: string, def: number, where = ""): number => {
    const v = obj[k] ?? def;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`${source}: "${where}${k}" must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const baseURL = r.base_url as string | undefined;
  const apiKeyEnv = r.api_key_env as string | undefined;
  const models = (k: string, v: unknown): ModelConfig[] => {
    const list = Array.isArray(v) ? v : [v];
    return list.map((m, i) => {
      if (typeof m === "string" && m !== "") return { model: m, baseURL, apiKeyEnv };
      if (m && typeof m === "object" && typeof (m as Raw).model === "string") {
        const o = m as Raw;
        return { model: o.model as string, baseURL: (o.base_url as string | undefined) ?? baseURL, apiKeyEnv: (o.api_key_env as string | undefined) ?? apiKeyEnv };
      }
      throw new Error(`${source}: "${k}"[${i}] must be a model name or {"model": ..., "base_url"?: ..., "api_key_env"?: ...}`);
    });
  };
  if (r.supervisors === undefined || r.coders === undefined) throw new Error(`${source}: "supervisors" and "coders" are required`);
  const steps = ((r.steps as unknown[]) ?? [1, 2, 3, 4, 5]).map((s, i) => {
    try {
      return parseStep(s as string | number);
    } catch (err) {
      throw new Error(`${source}: "steps"[${i}]: ${(err as Error).message}`);
    }
  });
  const sb = (r.sandbox ?? {}) as Raw;
  // "sandbox.network" was the setting before isolation backends: its isolating values mean auto
  if (sb.network !== undefined && !["auto", "namespace", "both"].includes(sb.network as string)) {
    throw new Error(`${source}: "sandbox.network" is replaced by "sandbox.isolation" (${ISOLATION_CHOICES.join(", ")}); a preload alone is not isolation, the opt-out is "${UNSAFE_NO_SANDBOX}"`);
  }
  const isolation = (sb.isolation ?? "auto") as IsolationChoice;
  if (!ISOLATION_CHOICES.includes(isolation)) throw new Error(`${source}: "sandbox.isolation" must be one of ${ISOLATION_CHOICES.join(", ")}, got ${JSON.stringify(sb.isolation)}`);
  const tol = (r.tolerance ?? {}) as Raw;
  const events = r.events === undefined ? undefined : posInt(r, "events", 1);
  const temperature = r.temperature ?? 0;
  if (typeof temperature !== "number" || temperature < 0) throw new Error(`${source}: "temperature" must be a number >= 0`);
  return {
    run: str("run"),
    resultsDir: str("results_dir", "results"),
    data: str("data"),
    events,
    supervisors: models("supervisors", r.supervisors),
    coders: models("coders", r.coders),
    steps,
    repeats: posInt(r, "repeats", 1),
    maxIterations: posInt(r, "max_iterations", 3),
    concurrency: posInt(r, "concurrency", 2),
    sandbox: { timeoutMs: posInt(sb, "timeout_s", 120, "sandbox.") * 1000, memoryMb: posInt(sb, "memory_mb", 4096, "sandbox."), isolation },
    tolerance: {
      significantDigits: posInt(tol, "significant_digits", DEFAULT_TOLERANCE.significantDigits, "tolerance."),
      atol: typeof tol.atol === "number" ? tol.atol : DEFAULT_TOLERANCE.atol,
    },
    categoriser: r.categoriser === undefined ? undefined : models("categoriser", r.categoriser)[0],
    temperature,
  };
}

export function loadConfig(file: string): AnalysisConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read config (${(err as Error).message})`);
  }
  return parseConfig(raw, file);
}
