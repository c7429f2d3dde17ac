/**
 * The demo is an ordered list of named steps sharing one context. Each step reads what earlier
 * steps left in `ctx.artifacts`, writes its files under the demo folder, and returns its outputs
 * and a one-line summary. Later work appends steps (train, evaluate, report) to the list in
 * steps.ts and, when it hands something on, a field to DemoArtifacts.
 */
import * as path from "node:path";
import type { SplitSummary } from "../dataset";

export interface DemoOptions {
  /** Folder for everything the demo writes (created; files in it are replaced). */
  outDir: string;
  /** Simulated events (after the trigger); a few thousand keeps the demo around a minute. */
  events: number;
  /** Seed of the whole demo (simulation, split, and later training): same seed, same outputs. */
  seed: number;
  /** Worker threads for prepare; default: the number of cores. */
  jobs?: number;
  /** Progress lines on stderr for long steps; default true. */
  progress?: boolean;
  /** Where the demo's own lines go; default stdout. */
  log?: (line: string) => void;
  /** A real Mistral/Llama model folder to fine-tune instead of the base model the demo makes. */
  model?: string;
  /** Pre-training steps of the demo's own base model (default 150). */
  pretrainSteps?: number;
  /** Fine-tune the LLM on at most this many training events (bounds the run time; default all). */
  trainEvents?: number;
  /** Fine-tuning epochs of the LLM runs (default 4). */
  epochs?: number;
  /** Evaluate on at most this many validation events per set (default all). */
  valEvents?: number;
  /** Folder of the training runs (default checkpoints/demo). */
  runsDir?: string;
  /** Folder of the report (default reports). */
  reportsDir?: string;
}

/** What earlier steps hand to later ones. Later steps add their fields here. */
export interface DemoArtifacts {
  /** simulate: the LHCO-layout HDF5 file with labels. */
  eventsFile?: string;
  /** simulate: events and how many are signal. */
  simulated?: { nEvents: number; nSignal: number };
  /** prepare: the JSONL records of all events. */
  recordsFile?: string;
  /** split: the train/validation sets per ratio. */
  split?: SplitSummary;
  /** base-model: the model folder the runs fine-tune. */
  baseModel?: string;
  /** train: the run folders (checkpoints and log.jsonl). */
  runs?: string[];
}

export interface DemoContext {
  readonly options: Readonly<DemoOptions>;
  readonly artifacts: DemoArtifacts;
  /** A path inside the demo folder. */
  file(...parts: string[]): string;
  /** The folder holding the demo's training runs. */
  runsDir(): string;
  log(line: string): void;
}

export interface StepReport {
  /** Files or folders written, by name (shown in the summary and in demo.json). */
  outputs: Record<string, string>;
  /** One line for the final summary, e.g. "4000 events (402 signal)". */
  summary: string;
}

export interface DemoStep {
  /** Short name, e.g. "prepare". */
  name: string;
  /** What the step does, one line. */
  description: string;
  run(ctx: DemoContext): Promise<StepReport>;
}

export function makeContext(options: DemoOptions): DemoContext {
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    options,
    artifacts: {},
    file: (...parts) => path.join(options.outDir, ...parts),
    runsDir: () => options.runsDir ?? path.join("checkpoints", "demo"),
    log,
  };
}
