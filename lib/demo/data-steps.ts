/**
 * The demo's data steps: simulate LHCO-like events, prepare jet records, split them into
 * balanced (1:1) and imbalanced (1:10) training and validation sets.
 */
import { formatSplitSummary, prepare, split } from "../dataset";
import { DEFAULT_SIMULATION, simulateToFile } from "../simulation";
import type { DemoStep } from "./step";

export const simulateStep: DemoStep = {
  name: "simulate",
  description: "simulate LHCO-like events (QCD dijets and W' -> X Y signal) into an HDF5 file",
  async run(ctx) {
    const file = ctx.file("events.h5");
    const cfg = { ...DEFAULT_SIMULATION, nEvents: ctx.options.events, seed: ctx.options.seed };
    const r = await simulateToFile(file, cfg, { withLabels: true, progress: ctx.options.progress !== false });
    ctx.artifacts.eventsFile = file;
    ctx.artifacts.simulated = { nEvents: r.nEvents, nSignal: r.nSignal };
    return { outputs: { events: file }, summary: `${r.nEvents} events (${r.nSignal} signal)` };
  },
};

export const prepareStep: DemoStep = {
  name: "prepare",
  description: "cluster every event into anti-kt R = 1.0 jets and write JSONL records",
  async run(ctx) {
    const input = need(ctx.artifacts.eventsFile, "prepare", "simulate");
    const output = ctx.file("records.jsonl");
    const r = await prepare({ input, output, jobs: ctx.options.jobs, progress: ctx.options.progress !== false });
    ctx.artifacts.recordsFile = output;
    return { outputs: { records: output }, summary: `${r.events} records, ${r.eventsPerSecond.toFixed(0)} events/s` };
  },
};

export const splitStep: DemoStep = {
  name: "split",
  description: "split the records into 1:1 and 1:10 signal:background train/validation sets",
  async run(ctx) {
    const input = need(ctx.artifacts.recordsFile, "split", "prepare");
    const nSignal = need(ctx.artifacts.simulated, "split", "simulate").nSignal;
    // Validation sets of u signal each (about an eighth of the signal), so training keeps most
    // of it and the requested sizes always fit: 1:1 -> 2u events, 1:10 -> 11u events.
    const u = Math.max(1, Math.floor(nSignal / 8));
    const summary = split({
      input,
      outDir: ctx.file("splits"),
      ratios: [
        [1, 1],
        [1, 10],
      ],
      valSizes: [2 * u, 11 * u],
      seed: ctx.options.seed,
    });
    ctx.artifacts.split = summary;
    for (const line of formatSplitSummary(summary).split("\n")) ctx.log(`  ${line}`);
    const sets = summary.sets.map((s) => `${s.name}: ${s.train.total} train / ${s.val.total} val`).join("; ");
    return { outputs: { splits: ctx.file("splits") }, summary: sets };
  },
};

function need<T>(x: T | undefined, step: string, producer: string): T {
  if (x === undefined) throw new Error(`demo: step ${step} needs the output of step ${producer}, which has not run`);
  return x;
}
