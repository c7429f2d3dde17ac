/**
 * The demo is an ordered list of named steps sharing one context. Each step reads what earlier
 * steps left in `ctx.artifacts`, writes its files under the demo folder, and returns its outputs
 * and a one-line summary.
 */
import * as path from "node:path";
import type { SplitSummary } from "../dataset";
import type { StudyResult } from "../study";

export interface DemoOptions {
  /** Folder for everything the demo writes (created; files in it are replaced). */
  outDir: string;
  /** Simulated labelled events (default: DEMO_DATA, or QUICK_DATA with `quick`); the signal share stays. */
  events?: number;
  /** Seed of the whole demo (simulation, split, base model): same seed, same outputs. */
  seed: number;
  /** Worker threads for prepare and trainings at once for the study; default: the number of cores. */
  jobs?: number;
  /** Progress lines on stderr for long steps; default true. */
  progress?: boolean;
  /** Where the demo's own lines go; default stdout. */
  log?: (line: string) => void;
  /** A real Mistral/Llama model folder to fine-tune instead of the base model the study makes. */
  model?: string;
  /** The one-minute smoke run: QUICK_DATA and the study's QUICK_RECIPE. */
  quick?: boolean;
  /** LHCO HDF5 file whose background joins the signal-free check ("" = none; default: the real tiny file in ../shared when present). */
  realBackground?: string;
}

/** What earlier steps hand to later ones. */
export interface DemoArtifacts {
  /** simulate: the LHCO-layout HDF5 file with labels, and the background-only one. */
  eventsFile?: string;
  backgroundEventsFile?: string;
  /** simulate: events and how many are signal. */
  simulated?: { nEvents: number; nSignal: number };
  /** prepare: the JSONL records of all events. */
  recordsFile?: string;
  /** prepare: background-only record files (simulated, and the real tiny file's background). */
  backgroundOnly?: string[];
  /** split: the train/validation/test sets per ratio. */
  split?: SplitSummary;
  /** study: study.json and the report. */
  study?: StudyResult;
}

export interface DemoContext {
  readonly options: Readonly<DemoOptions>;
  readonly artifacts: DemoArtifacts;
  /** A path inside the demo folder. */
  file(...parts: string[]): string;
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
    log,
  };
}
