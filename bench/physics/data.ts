/**
 * The benchmark's event sets: real LHCO R&D jets from the feature table in ../shared, or
 * simulated events (lib/simulation → prepare, cached in data/bench/physics/). Each class is
 * shuffled with the seed and cut into disjoint train / val / test sets of the requested
 * signal and background counts, so no event sits in two sets (checked).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EventRecord } from "../../lib/jets/record";
import { prepare, readAllRecords, readFeatureTable } from "../../lib/dataset";
import { DEFAULT_SIMULATION, simulateToFile } from "../../lib/simulation";
import { Rng } from "../../lib/util/rng";

export interface Counts {
  signal: number;
  background: number;
}

export interface Protocol {
  train: Counts;
  val: Counts;
  tests: Array<{ name: string } & Counts>;
}

/** Issue 11 item 10: 3,000 training events (1:1), 1,000 val (1:1), tests of 2,000 (1:1) and 5,500 (1:10). */
export const PROTOCOL: Protocol = {
  train: { signal: 1500, background: 1500 },
  val: { signal: 500, background: 500 },
  tests: [
    { name: "1:1 @2000", signal: 1000, background: 1000 },
    { name: "1:10 @5500", signal: 500, background: 5000 },
  ],
};

/** A tenth of it, for a smoke run (--quick). */
export const QUICK_PROTOCOL: Protocol = {
  train: { signal: 150, background: 150 },
  val: { signal: 50, background: 50 },
  tests: [
    { name: "1:1 @200", signal: 100, background: 100 },
    { name: "1:10 @550", signal: 50, background: 500 },
  ],
};

export interface BenchSets {
  /** "real" or "sim". */
  source: string;
  train: EventRecord[];
  val: EventRecord[];
  tests: Array<{ name: string; recs: EventRecord[] }>;
}

function total(p: Protocol, cls: keyof Counts): number {
  return p.train[cls] + p.val[cls] + p.tests.reduce((n, t) => n + t[cls], 0);
}

/** Seeded disjoint sets from labelled records. */
export function drawSets(source: string, all: EventRecord[], p: Protocol, seed: number): BenchSets {
  const rng = new Rng(seed);
  const sig = rng.shuffle(all.filter((r) => r.type === "signal"));
  const bkg = rng.shuffle(all.filter((r) => r.type === "background"));
  for (const [cls, have] of [["signal", sig.length], ["background", bkg.length]] as const) {
    if (have < total(p, cls)) throw new Error(`${source}: ${have} ${cls} events, the protocol needs ${total(p, cls)}`);
  }
  let s = 0;
  let b = 0;
  const take = (c: Counts): EventRecord[] => {
    const out = [...sig.slice(s, s + c.signal), ...bkg.slice(b, b + c.background)];
    s += c.signal;
    b += c.background;
    return rng.shuffle(out);
  };
  const sets: BenchSets = { source, train: take(p.train), val: take(p.val), tests: p.tests.map((t) => ({ name: t.name, recs: take(t) })) };
  const seen = new Set<EventRecord>();
  for (const r of [sets.train, sets.val, ...sets.tests.map((t) => t.recs)].flat()) {
    if (seen.has(r)) throw new Error(`${source}: event ${r.id} drawn twice`);
    seen.add(r);
  }
  return sets;
}

export const FEATURE_TABLE = path.resolve(__dirname, "..", "..", "..", "shared", "fixtures", "lhco", "rd_jet_features.csv.gz");

export function realSets(p: Protocol, seed: number, file = process.env.HEPLLM_SHARED ? path.join(process.env.HEPLLM_SHARED, "fixtures/lhco/rd_jet_features.csv.gz") : FEATURE_TABLE): BenchSets {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: the real-data benchmark needs ../shared beside the checkout`);
  return drawSets("real", readFeatureTable(file, { progress: true }), p, seed);
}

/** Simulated events for the protocol (+10% background margin), cached by size and seed. */
export async function simSets(p: Protocol, seed: number, cacheDir = path.join("data", "bench", "physics")): Promise<BenchSets> {
  const nSig = total(p, "signal");
  const nEvents = nSig + Math.ceil(total(p, "background") * 1.1);
  const dir = path.join(cacheDir, `sim-${nEvents}-${nSig}-${seed}`);
  const records = path.join(dir, "records.jsonl");
  if (!fs.existsSync(records)) {
    fs.mkdirSync(dir, { recursive: true });
    const h5 = path.join(dir, "events.h5");
    await simulateToFile(h5, { ...DEFAULT_SIMULATION, nEvents, signalEvents: nSig, seed }, { withLabels: true, progress: true });
    await prepare({ input: h5, output: records, progress: true });
    fs.rmSync(h5);
  }
  return drawSets("sim", readAllRecords(records), p, seed);
}
