/**
 * `<out>/study.json`: the study's machine-readable result. For each arm (keys `llm-fusion`,
 * `llm-text`, `mlp`) and each test file (keyed by its file name, or by its last path components
 * when names repeat, e.g. "1-1/test.jsonl") the selected checkpoint's metrics exactly as
 * `hepllm eval --json` gives them (the first seed's), plus every seed's entry and the mean ± std
 * over seeds; the paired differences between arms on the same test events; and the signal-free
 * check. NaN (an unsupported metric) is written as null, as in the run logs.
 */
import * as path from "node:path";
import type { EvalLogEntry, FalsePositiveRate, Spread } from "../metrics";
import type { Selection } from "../train/selection";
import { writeFileAtomic } from "../util/atomic";
import type { Arm } from "./arms";
import type { ArmDifference } from "./paired";
import type { StudyRecipe } from "./recipe";

export const STUDY_FILE = "study.json";

/** One seed of an arm on one test file. */
export interface SeedResult {
  seed: number;
  /** Run folder. */
  run: string;
  selected: Selection;
  entry: EvalLogEntry;
}

/** An arm on one test file: the first seed's eval entry, all seeds, and the spread over seeds. */
export type ArmTestResult = EvalLogEntry & {
  seeds: SeedResult[];
  /** Headline metric → mean ± std over seeds (sample std). */
  spread: Record<string, Spread>;
};

/** False positives of one arm on one background-only sample: per seed, and the spread of the rate. */
export interface SignalFreeResult {
  perSeed: Array<FalsePositiveRate & { seed: number; scoresFile: string; run: string }>;
  rate: Spread;
}

export interface StudyJson {
  version: 1;
  /** ISO time the study finished. */
  created: string;
  /** Wall time of the whole study (s). */
  seconds: number;
  quick: boolean;
  recipe: StudyRecipe;
  /** The files: training, validation (selection and the working point), tests and background-only samples by key. */
  data: { train: string; val: string; tests: Record<string, string>; backgroundOnly: Record<string, string>; split?: string };
  /** The model folder the LLM arms fine-tuned. */
  baseModel: string;
  /** What each arm saw (numbers in its prompt text, entries of its numeric vector) and its run folders, by arm. */
  arms: Record<Arm, { text: string[]; vector: string[]; runs: string[] }>;
  /** Arm → test key → results. */
  results: Record<Arm, Record<string, ArmTestResult>>;
  /** Test key → "A − B" → metric → paired difference of seed means. */
  paired: Record<string, Record<string, Record<string, ArmDifference>>>;
  /** The working point fixed on val (per run) and the false-positive rate on each background-only sample. */
  signalFree: { efficiency: number; level: number; byArm: Record<Arm, Record<string, SignalFreeResult>> };
}

export function writeStudyJson(outDir: string, s: StudyJson): string {
  const file = path.join(outDir, STUDY_FILE);
  writeFileAtomic(file, JSON.stringify(s, null, 1) + "\n");
  return file;
}

/** Keys for files: each file's base name when unique, else as many trailing path components as make it unique. */
export function fileKeys(files: string[]): string[] {
  const parts = files.map((f) => path.resolve(f).split(path.sep));
  const depth = files.map(() => 1);
  const keyOf = (i: number): string => parts[i].slice(-depth[i]).join("/");
  for (let round = 0; round < 64; round++) {
    const groups = new Map<string, number[]>();
    files.forEach((_, i) => groups.set(keyOf(i), [...(groups.get(keyOf(i)) ?? []), i]));
    const clash = [...groups.values()].filter((g) => g.length > 1);
    if (clash.length === 0) return files.map((_, i) => keyOf(i));
    for (const g of clash) {
      if (g.every((i) => depth[i] >= parts[i].length)) throw new Error(`study: the file ${files[g[0]]} is given twice`);
      for (const i of g) depth[i] = Math.min(depth[i] + 1, parts[i].length);
    }
  }
  throw new Error(`study: cannot name the files ${files.join(", ")} apart`);
}
