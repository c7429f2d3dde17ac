/**
 * Runs the demo's steps in order, timing each, then prints a summary and writes
 * `<outDir>/demo.json` (options, and per step: seconds, summary, outputs).
 */
import { writeFileAtomic } from "../util/atomic";
import { formatSeconds } from "../util/progress";
import { DemoContext, DemoOptions, DemoStep, makeContext } from "./step";
import { DEMO_STEPS } from "./steps";

export interface StepResult {
  name: string;
  seconds: number;
  summary: string;
  outputs: Record<string, string>;
}

export interface DemoResult {
  steps: StepResult[];
  seconds: number;
  /** The context after the last step (its artifacts hold every step's hand-over). */
  context: DemoContext;
}

export async function runDemo(options: DemoOptions, steps: DemoStep[] = DEMO_STEPS): Promise<DemoResult> {
  if (options.events !== undefined && !(Number.isInteger(options.events) && options.events > 0)) throw new Error(`demo: events must be a positive integer, got ${options.events}`);
  const ctx = makeContext(options);
  const t0 = Date.now();
  const results: StepResult[] = [];
  for (const [i, step] of steps.entries()) {
    ctx.log(`[${i + 1}/${steps.length}] ${step.name}: ${step.description}`);
    const t = Date.now();
    let report;
    try {
      report = await step.run(ctx);
    } catch (err) {
      throw new Error(`demo step ${step.name} failed: ${(err as Error).message}`, { cause: err });
    }
    results.push({ name: step.name, seconds: (Date.now() - t) / 1000, ...report });
  }
  const seconds = (Date.now() - t0) / 1000;
  const manifest = { options: { outDir: options.outDir, events: options.events, seed: options.seed, quick: options.quick === true }, seconds, steps: results };
  writeFileAtomic(ctx.file("demo.json"), JSON.stringify(manifest, null, 2) + "\n");
  for (const line of formatDemoSummary(results, seconds).split("\n")) ctx.log(line);
  return { steps: results, seconds, context: ctx };
}

export function formatDemoSummary(steps: StepResult[], seconds: number): string {
  const w = Math.max(...steps.map((s) => s.name.length), 4);
  const lines = ["", `demo finished in ${formatSeconds(seconds)}:`];
  for (const s of steps) {
    lines.push(`  ${s.name.padEnd(w)}  ${formatSeconds(s.seconds).padStart(6)}  ${s.summary}`);
    for (const [k, v] of Object.entries(s.outputs)) lines.push(`  ${"".padEnd(w)}  ${"".padStart(6)}  ${k}: ${v}`);
  }
  return lines.join("\n");
}
