/**
 * The demo's data steps: simulate LHCO-like events (and a separate background-only sample),
 * prepare jet records (also from the real LHCO tiny file's background, when ../shared has it),
 * and split the records into disjoint 1:1 and 1:10 train / validation / test sets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatSplitSummary, prepare, readAllRecords, split, SplitSummary, writeRecords } from "../dataset";
import { DEFAULT_SIMULATION, simulateToFile } from "../simulation";
import { trainSizeLeft } from "../study";
import type { DemoContext, DemoStep } from "./step";

/** Sizes of the demo's data, full and quick. */
export interface DemoData {
  /** Simulated labelled events and how many of them are signal. */
  events: number;
  signalEvents: number;
  /** Simulated background-only events for the signal-free check (another seed). */
  backgroundOnly: number;
  /** Test sets per ratio (1:1, 1:10), in events. */
  testSizes: [number, number];
  /** Validation sets per ratio (1:1 selects checkpoints; 1:10 is the split's required companion). */
  valSizes: [number, number];
}

export const DEMO_DATA: DemoData = {
  // The split keeps tests + validations within half of each class, so 1000+1000 and 450:4500
  // test events (AUC 95% CI half-width ≤ 0.02 near AUC 0.9) need 3400 signal and 11800 background.
  events: 15200,
  signalEvents: 3400,
  backgroundOnly: 1000, // a false-positive rate of 0.03 then has a CI about ±0.01 wide
  testSizes: [2000, 4950],
  valSizes: [400, 220],
};

export const QUICK_DATA: DemoData = { events: 1300, signalEvents: 380, backgroundOnly: 200, testSizes: [200, 220], valSizes: [100, 110] };

/** The real LHCO R&D tiny file (1000 events, 93 signal), beside the checkout, when present. */
export function realTinyFile(): string | undefined {
  const shared = process.env.HEPLLM_SHARED ?? path.join(__dirname, "..", "..", "..", "shared");
  const file = path.join(shared, "fixtures", "lhco", "events_anomalydetection_tiny.h5");
  return fs.existsSync(file) ? file : undefined;
}

/** The demo's data sizes for a mode, with `events` (when given) replacing the count at the same signal share. */
export function demoData(quick: boolean, events?: number): DemoData {
  const d = quick ? QUICK_DATA : DEMO_DATA;
  const n = events ?? d.events;
  return { ...d, events: n, signalEvents: Math.round((n * d.signalEvents) / d.events) };
}

function dataOf(ctx: DemoContext): DemoData {
  return demoData(ctx.options.quick === true, ctx.options.events);
}

/** The demo's split of a record file: disjoint 1:1 train/val/test and 1:10 val/test (notebook 02 calls it too). */
export function splitDemoRecords(input: string, outDir: string, d: DemoData, seed: number, warn?: (m: string) => void): SplitSummary {
  return split({
    input,
    outDir,
    ratios: [
      [1, 1],
      [1, 10],
    ],
    valSizes: d.valSizes,
    testSizes: d.testSizes,
    trainSizes: [trainSizeLeft(d.signalEvents, d.events - d.signalEvents, d.testSizes, d.valSizes), 0], // 1:1 trains on what the held-out sets leave; 1:10 only tests
    seed,
    warn,
  });
}

export const simulateStep: DemoStep = {
  name: "simulate",
  description: "simulate LHCO-like events (QCD dijets and W' -> X Y signal) and a background-only sample into HDF5 files",
  async run(ctx) {
    const d = dataOf(ctx);
    const progress = ctx.options.progress !== false;
    const file = ctx.file("events.h5");
    const r = await simulateToFile(file, { ...DEFAULT_SIMULATION, nEvents: d.events, signalEvents: d.signalEvents, seed: ctx.options.seed }, { withLabels: true, progress });
    const bkgFile = ctx.file("background-only.h5");
    await simulateToFile(bkgFile, { ...DEFAULT_SIMULATION, nEvents: d.backgroundOnly, signalEvents: 0, seed: ctx.options.seed + 1000 }, { withLabels: true, progress });
    ctx.artifacts.eventsFile = file;
    ctx.artifacts.backgroundEventsFile = bkgFile;
    ctx.artifacts.simulated = { nEvents: r.nEvents, nSignal: r.nSignal };
    return { outputs: { events: file, "background-only": bkgFile }, summary: `${r.nEvents} events (${r.nSignal} signal), ${d.backgroundOnly} background-only` };
  },
};

export const prepareStep: DemoStep = {
  name: "prepare",
  description: "cluster every event into anti-kt R = 1.0 jets and write JSONL records (also the real tiny file's background, when present)",
  async run(ctx) {
    const input = need(ctx.artifacts.eventsFile, "prepare", "simulate");
    const progress = ctx.options.progress !== false;
    const output = ctx.file("records.jsonl");
    const r = await prepare({ input, output, jobs: ctx.options.jobs, progress });
    ctx.artifacts.recordsFile = output;
    const bkg = ctx.file("background-only.jsonl");
    await prepare({ input: need(ctx.artifacts.backgroundEventsFile, "prepare", "simulate"), output: bkg, jobs: ctx.options.jobs, progress });
    const backgroundOnly = [bkg];
    const outputs: Record<string, string> = { records: output, "background-only": bkg };
    let real = "";
    const tiny = ctx.options.realBackground === undefined ? realTinyFile() : ctx.options.realBackground || undefined;
    if (tiny) {
      const all = ctx.file("lhco-tiny.jsonl");
      await prepare({ input: tiny, output: all, jobs: ctx.options.jobs, progress });
      const file = ctx.file("lhco-tiny-background.jsonl");
      const n = writeRecords(file, readAllRecords(all).filter((x) => x.type === "background"));
      backgroundOnly.push(file);
      outputs["real background"] = file;
      real = `; real tiny file: ${n} background records`;
    }
    ctx.artifacts.backgroundOnly = backgroundOnly;
    return { outputs, summary: `${r.events} records, ${r.eventsPerSecond.toFixed(0)} events/s${real}` };
  },
};

export const splitStep: DemoStep = {
  name: "split",
  description: "split the records into disjoint 1:1 train/val/test and 1:10 val/test sets",
  async run(ctx) {
    const input = need(ctx.artifacts.recordsFile, "split", "prepare");
    const d = dataOf(ctx);
    const summary = splitDemoRecords(input, ctx.file("splits"), d, ctx.options.seed, (m) => ctx.log(`  warning: ${m}`));
    ctx.artifacts.split = summary;
    for (const line of formatSplitSummary(summary).split("\n")) ctx.log(`  ${line}`);
    const sets = summary.sets.map((s) => `${s.name}: ${s.train.total} train / ${s.val.total} val / ${s.test.total} test`).join("; ");
    return { outputs: { splits: ctx.file("splits") }, summary: sets };
  },
};

function need<T>(x: T | undefined, step: string, producer: string): T {
  if (x === undefined) throw new Error(`demo: step ${step} needs the output of step ${producer}, which has not run`);
  return x;
}
