/**
 * Test fixtures for the analysis framework: a small simulated LHCO file (hepllm's simulator,
 * written in the published layout) and the scripted "coder" programs in ./programs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LOGISTIC } from "../../lib/analysis/contract";
import { simulateToFile, simulationConfig } from "../../lib/simulation";

/** A fresh temporary folder, removed at process exit. */
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `hepllm-${prefix}-`));
  process.once("exit", () => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** `n` simulated events (30% signal) as an LHCO file in `dir`. */
export async function simulatedLHCO(dir: string, n = 40, seed = 11): Promise<string> {
  const file = path.join(dir, `sim_${n}_${seed}.h5`);
  if (!fs.existsSync(file)) await simulateToFile(file, simulationConfig({ nEvents: n, signalFraction: 0.3, seed }));
  return file;
}

const PROGRAMS = path.join(__dirname, "programs");

/** A scripted program's text, with the .npy helpers prepended and the contract's numbers filled in. */
export function program(name: string): string {
  const helpers = fs.readFileSync(path.join(PROGRAMS, "npy-helpers.js"), "utf8");
  const body = fs
    .readFileSync(path.join(PROGRAMS, name), "utf8")
    .replace(/LR_ITERATIONS/g, String(LOGISTIC.iterations))
    .replace(/LR_RATE/g, String(LOGISTIC.learningRate));
  return `${helpers}\n${body}`;
}

/** A coder reply holding `code` in a fenced block. */
export function fenced(code: string, lang = "javascript"): string {
  return `Here is the program.\n\n\`\`\`${lang}\n${code}\n\`\`\`\n`;
}
