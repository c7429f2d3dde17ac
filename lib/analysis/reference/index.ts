/**
 * Runs the reference solutions: `runReference` computes one step from its input folder, and
 * `buildReferences` lays out `<root>/inputs/step<k>/` (links to the data file and to earlier
 * reference outputs) and `<root>/step<k>/` (the reference outputs) for the steps asked and
 * everything they depend on. Outputs are written atomically; a step whose outputs exist is not
 * recomputed unless the data file or the contract changed (recorded in `<root>/source.json`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../util/atomic";
import { readNpy, writeNpy } from "../npy";
import { promptValues } from "../contract";
import { STEP_IDS, STEPS, StepId, upstreamSteps } from "../steps";
import { lhcoToArrays } from "./arrays";
import { categorise } from "./categories";
import { jetFeatures } from "./features";
import { logisticScores } from "./scores";
import { summariseLHCO } from "./summary";

/** Computes step `step` from the files in `inputDir` into `outDir`. */
export async function runReference(step: StepId, inputDir: string, outDir: string): Promise<void> {
  const inp = (f: string): string => path.join(inputDir, f);
  const out = (f: string): string => path.join(outDir, f);
  fs.mkdirSync(outDir, { recursive: true });
  switch (step) {
    case 1: {
      const s = await summariseLHCO(inp("events.h5"));
      writeFileAtomic(out("summary.json"), JSON.stringify(s, null, 2) + "\n");
      return;
    }
    case 2: {
      const { particles, labels } = await lhcoToArrays(inp("events.h5"));
      writeNpy(out("particles.npy"), particles);
      writeNpy(out("labels.npy"), labels);
      return;
    }
    case 3:
      writeNpy(out("features.npy"), jetFeatures(readNpy(inp("particles.npy"))));
      return;
    case 4:
      writeNpy(out("scores.npy"), logisticScores(readNpy(inp("features.npy")), readNpy(inp("labels.npy"))));
      return;
    case 5: {
      const r = categorise(readNpy(inp("features.npy")), readNpy(inp("labels.npy")), readNpy(inp("scores.npy")));
      writeNpy(out("categories.npy"), r.categories);
      writeNpy(out("significance.npy"), r.significance);
      return;
    }
  }
}

export interface ReferenceLayout {
  /** Input folder of a step (what the program and the reference read). */
  inputDir(step: StepId): string;
  /** Reference outputs of a step. */
  outputDir(step: StepId): string;
}

export function referenceLayout(root: string): ReferenceLayout {
  return {
    inputDir: (s) => path.join(root, "inputs", `step${s}`),
    outputDir: (s) => path.join(root, `step${s}`),
  };
}

/** Links a step's inputs into its input folder (absolute symlinks, replaced atomically). */
export function linkInputs(step: StepId, dataFile: string, layout: ReferenceLayout): string {
  const dir = layout.inputDir(step);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, src] of Object.entries(STEPS[step].inputs)) {
    const target = src === "data" ? path.resolve(dataFile) : path.resolve(layout.outputDir(src), name);
    if (!fs.existsSync(target)) throw new Error(`step ${step}: input ${name} needs ${target}, which does not exist`);
    // A temporary link renamed over the old one: parallel campaigns may link the same folder.
    const link = path.join(dir, name);
    const tmp = `${link}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.symlinkSync(target, tmp);
    fs.renameSync(tmp, link);
  }
  return dir;
}

/** Builds the reference outputs of `steps` and of every step they depend on; returns the layout. */
export async function buildReferences(dataFile: string, root: string, steps: StepId[], log: (s: string) => void = () => {}): Promise<ReferenceLayout> {
  if (!fs.existsSync(dataFile)) throw new Error(`${dataFile}: LHCO data file not found`);
  const layout = referenceLayout(root);
  // Outputs are reused only when made from the same data file and the same contract.
  const stamp = sourceStamp(dataFile);
  const stampFile = path.join(root, "source.json");
  const old = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, "utf8") : undefined;
  if (old !== stamp) {
    for (const s of STEP_IDS) fs.rmSync(layout.outputDir(s), { recursive: true, force: true });
    if (old !== undefined) log(`reference: ${dataFile} or the contract changed since ${stampFile}; rebuilding`);
    writeFileAtomic(stampFile, stamp);
  }
  const all = new Set<StepId>();
  for (const s of steps) {
    all.add(s);
    for (const u of upstreamSteps(s)) all.add(u);
  }
  for (const s of [...all].sort()) {
    const done = STEPS[s].outputs.every((f) => fs.existsSync(path.join(layout.outputDir(s), f)));
    linkInputs(s, dataFile, layout);
    if (done) continue;
    const t0 = Date.now();
    await runReference(s, layout.inputDir(s), layout.outputDir(s));
    log(`reference step ${s} (${STEPS[s].name}): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return layout;
}

/** What the reference outputs depend on: the data file (real path, size, modification time) and the contract. */
function sourceStamp(dataFile: string): string {
  const real = fs.realpathSync(dataFile);
  const st = fs.statSync(real);
  return JSON.stringify({ data: real, size: st.size, mtimeMs: st.mtimeMs, contract: promptValues() }, null, 2) + "\n";
}
