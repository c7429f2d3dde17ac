/**
 * The five analysis steps: what each reads, what it writes, where its inputs come from, and its
 * prompt. A step's inputs are either the LHCO file itself ("data") or the reference outputs of an
 * earlier step, so every step can be tested on its own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FEATURE_COLUMNS, SIGNIFICANCE_COLUMNS, promptValues } from "./contract";

export type StepId = 1 | 2 | 3 | 4 | 5;
export const STEP_IDS: StepId[] = [1, 2, 3, 4, 5];

export interface StepSpec {
  id: StepId;
  /** Short name used in folder and file names. */
  name: "summary" | "arrays" | "features" | "scores" | "categories";
  title: string;
  /** Prompt file under lib/analysis/prompts. */
  promptFile: string;
  /** Input file name -> its source: "data" (the LHCO file) or the step whose reference writes it. */
  inputs: Record<string, "data" | StepId>;
  /** Files the program must write into its output folder. */
  outputs: string[];
  /** Column names of 2-D outputs, for validation reports. */
  columns: Record<string, string[]>;
}

export const STEPS: Record<StepId, StepSpec> = {
  1: {
    id: 1, name: "summary", title: "Summarise an LHCO HDF5 file", promptFile: "step1-summary.md",
    inputs: { "events.h5": "data" }, outputs: ["summary.json"], columns: {},
  },
  2: {
    id: 2, name: "arrays", title: "Convert events to arrays", promptFile: "step2-arrays.md",
    inputs: { "events.h5": "data" }, outputs: ["particles.npy", "labels.npy"],
    columns: { "particles.npy": ["pT", "eta", "phi"] },
  },
  3: {
    id: 3, name: "features", title: "Cluster jets and compute jet features", promptFile: "step3-features.md",
    inputs: { "particles.npy": 2, "labels.npy": 2 }, outputs: ["features.npy"],
    columns: { "features.npy": [...FEATURE_COLUMNS] },
  },
  4: {
    id: 4, name: "scores", title: "Train a classifier and score every event", promptFile: "step4-scores.md",
    inputs: { "features.npy": 3, "labels.npy": 2 }, outputs: ["scores.npy"], columns: {},
  },
  5: {
    id: 5, name: "categories", title: "m_jj categories and signal-region significance", promptFile: "step5-categories.md",
    inputs: { "features.npy": 3, "labels.npy": 2, "scores.npy": 4 }, outputs: ["categories.npy", "significance.npy"],
    columns: { "significance.npy": [...SIGNIFICANCE_COLUMNS] },
  },
};

export const PROMPTS_DIR = path.join(__dirname, "prompts");

/** A step id from user input ("3" or "features"), or an error naming the accepted values. */
export function parseStep(s: string | number): StepId {
  const byName = STEP_IDS.find((id) => STEPS[id].name === s);
  if (byName) return byName;
  const n = Number(s);
  if (STEP_IDS.includes(n as StepId)) return n as StepId;
  throw new Error(`unknown step ${JSON.stringify(s)}: use 1-5 or ${STEP_IDS.map((id) => STEPS[id].name).join(", ")}`);
}

/** Reads a prompt file and fills its `{{NAME}}` placeholders from the contract. */
export function loadPrompt(file: string): string {
  const text = fs.readFileSync(path.join(PROMPTS_DIR, file), "utf8");
  const values = promptValues();
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (m, name: string) => {
    if (!(name in values)) throw new Error(`${file}: unknown placeholder ${m}`);
    return values[name];
  });
}

/** The full task text a step gives to both models: the step's contract and the environment. */
export function stepTask(step: StepId): string {
  return `${loadPrompt(STEPS[step].promptFile)}\n${loadPrompt("environment.md")}`;
}

/** All steps whose reference outputs `step` needs, itself excluded, in order. */
export function upstreamSteps(step: StepId): StepId[] {
  const need = new Set<StepId>();
  const visit = (s: StepId): void => {
    for (const src of Object.values(STEPS[s].inputs)) {
      if (src !== "data" && !need.has(src)) {
        need.add(src);
        visit(src);
      }
    }
  };
  visit(step);
  return [...need].sort();
}
