/**
 * A campaign: every (supervisor, coder, repeat) trial of every configured step, run in parallel
 * with bounded concurrency. Before the trials, the data are cut to the configured number of events
 * (a smaller LHCO file under results/<run>/data/) and the reference outputs are built under
 * results/<run>/reference/. Each trial has its folder results/<run>/<coder>_<timestamp>[...]; each
 * finished step appends its row to results/results_summary.csv and results/<run>/results_summary.csv.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { OpenAIClient } from "../agents/openai/client";
import { openLHCO, writeLHCO } from "../events";
import type { Event } from "../events/event";
import { AnalysisConfig, ModelConfig } from "./config";
import { chooseIsolation } from "./isolation/choose";
import { ModelRef, runStep, StepResult } from "./loop";
import { buildReferences, ReferenceLayout } from "./reference";
import { appendSummary, toRow } from "./summary";

export interface CampaignOptions {
  log?: (line: string) => void;
  /** Makes clients (tests inject retry-free ones); default: one OpenAIClient per endpoint. */
  clientFor?: (m: ModelConfig) => OpenAIClient;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapPool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A file-name-safe version of a model name ("org/model:7b" -> "org-model-7b"). */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "model";
}

/** The first `n` events of `source` as an LHCO file at `target` (reused when already there). */
export async function cutEvents(source: string, n: number, target: string): Promise<string> {
  if (fs.existsSync(target)) return target;
  const f = await openLHCO(source);
  try {
    const stop = Math.min(n, f.info.nEvents);
    const events: Event[] = [];
    for (const chunk of f.chunks({ stop, chunkSize: 1000 })) events.push(...chunk);
    await writeLHCO(target, events, { withLabels: f.info.hasLabels });
  } finally {
    f.close();
  }
  return target;
}

function defaultClientFactory(): (m: ModelConfig) => OpenAIClient {
  const cache = new Map<string, OpenAIClient>();
  return (m) => {
    const key = `${m.baseURL ?? ""}\u0000${m.apiKeyEnv ?? ""}`;
    if (!cache.has(key)) {
      if (m.apiKeyEnv && process.env[m.apiKeyEnv] === undefined) throw new Error(`model ${m.model}: $${m.apiKeyEnv} is not set`);
      const client = m.baseURL
        ? new OpenAIClient({ baseURL: m.baseURL, apiKey: m.apiKeyEnv ? process.env[m.apiKeyEnv] : undefined })
        : OpenAIClient.fromEnv("OPENAI");
      cache.set(key, client);
    }
    return cache.get(key)!;
  };
}

/** Prepares data and references for a campaign; returns the data file and reference layout. */
export async function prepareCampaign(cfg: AnalysisConfig, log: (s: string) => void = () => {}): Promise<{ data: string; layout: ReferenceLayout }> {
  const runRoot = path.join(cfg.resultsDir, cfg.run);
  const data = cfg.events === undefined ? cfg.data : await cutEvents(cfg.data, cfg.events, path.join(runRoot, "data", `events_first${cfg.events}.h5`));
  const layout = await buildReferences(data, path.join(runRoot, "reference"), cfg.steps, log);
  return { data, layout };
}

export async function runCampaign(cfg: AnalysisConfig, opts: CampaignOptions = {}): Promise<StepResult[]> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const clientFor = opts.clientFor ?? defaultClientFactory();
  const runRoot = path.join(cfg.resultsDir, cfg.run);
  // fail closed before any model is asked: no isolation, no generated code (throws with how to enable one)
  const isolation = chooseIsolation(cfg.sandbox.isolation);
  log(`analysis ${cfg.run}: generated programs run in ${isolation.describe}`);
  const { layout } = await prepareCampaign(cfg, log);
  const ref = (m: ModelConfig): ModelRef => ({ model: m.model, client: clientFor(m) });
  const categoriser = cfg.categoriser ? { model: cfg.categoriser.model, client: clientFor(cfg.categoriser) } : undefined;

  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const tasks: { sup: ModelConfig; cod: ModelConfig; repeat: number; step: (typeof cfg.steps)[number]; dir: string }[] = [];
  for (const sup of cfg.supervisors) {
    for (const cod of cfg.coders) {
      for (let repeat = 1; repeat <= cfg.repeats; repeat++) {
        const bySup = cfg.supervisors.length > 1 ? `_sup-${safeName(sup.model)}` : "";
        const dir = path.join(runRoot, `${safeName(cod.model)}_${stamp}${bySup}_r${repeat}`);
        for (const step of cfg.steps) tasks.push({ sup, cod, repeat, step, dir });
      }
    }
  }
  log(`analysis ${cfg.run}: ${tasks.length} step runs, ${cfg.concurrency} at a time`);
  let done = 0;
  return mapPool(tasks, cfg.concurrency, async (t) => {
    const r = await runStep({
      step: t.step, supervisor: ref(t.sup), coder: ref(t.cod), layout, runDir: t.dir,
      maxIterations: cfg.maxIterations, tolerance: cfg.tolerance, categoriser, temperature: cfg.temperature,
      limits: { timeoutMs: cfg.sandbox.timeoutMs, memoryMb: cfg.sandbox.memoryMb, isolation: cfg.sandbox.isolation },
      log,
    });
    const row = toRow(r, cfg.run, t.repeat);
    await appendSummary(path.join(cfg.resultsDir, "results_summary.csv"), [row]);
    await appendSummary(path.join(runRoot, "results_summary.csv"), [row]);
    log(`[${++done}/${tasks.length}] step ${t.step} ${t.cod.model} (supervisor ${t.sup.model}, repeat ${t.repeat}): ${r.success ? "success" : "failed"} after ${r.iterations} iteration(s)`);
    return r;
  });
}
