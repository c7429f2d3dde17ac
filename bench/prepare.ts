/**
 * `npm run bench:prepare`: events/s of `prepare` on a 50k-event simulated file, on all cores.
 * Goal: >= 6,100 events/s, i.e. the 1.1M-event LHCO R&D file in 3 minutes.
 *
 * The reference measured in the same run is one core doing the same per-event work in-process
 * (read, cluster, validate, serialise), so the output shows both the parallel speed-up and how
 * many such cores the goal needs. The simulated file is cached under data/bench/.
 *
 * Start-up (workers loading h5wasm, ajv and the TypeScript, the main thread opening the file) is a
 * fixed cost, measured by a second `prepare` on a few events; the steady rate excludes it and is
 * what the 1.1M-event file sees. Output identity: the reference's lines (formatted in-process,
 * without workers) must equal the same lines of prepare's output byte for byte.
 *
 * Options: --events N (default 50000), --jobs N (default: cores), --seed K (default 1).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatRecord, prepare, validateRecord } from "../lib/dataset";
import { openLHCO } from "../lib/events";
import { eventRecord } from "../lib/jets";
import { DEFAULT_SIMULATION, simulateToFile } from "../lib/simulation";

const GOAL_EVENTS_PER_S = 6100;
const RD_EVENTS = 1_100_000;
const REFERENCE_EVENTS = 4000;
const WARMUP_EVENTS = 500;
/** Events of the start-up run: a few blocks per worker, so start-up dominates its CPU time. */
const STARTUP_EVENTS = 64;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: "string" }, jobs: { type: "string" }, seed: { type: "string" } } });
  const nEvents = Number(values.events ?? 50000);
  const jobs = Number(values.jobs ?? os.availableParallelism());
  const seed = Number(values.seed ?? 1);
  const dir = path.resolve(__dirname, "..", "data", "bench");
  const input = path.join(dir, `prepare-sim-${nEvents}-seed${seed}.h5`);
  if (!fs.existsSync(input)) {
    console.error(`bench:prepare: simulating ${nEvents} events into ${input} (cached for later runs)`);
    await simulateToFile(input, { ...DEFAULT_SIMULATION, nEvents, seed }, { withLabels: true, progress: true });
  }
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"}, ${os.availableParallelism()} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);

  // Reference: one core, in-process, the same work per event as a worker.
  // Warm up the JIT first (workers warm up inside the timed run, as they do in real use).
  const f = await openLHCO(input);
  const lines: string[] = [];
  const work = (a: number, b: number): number => {
    let bytes = 0;
    lines.length = 0;
    f.read(a, b).forEach((e, i) => {
      const line = formatRecord(validateRecord(eventRecord(e), { file: "bench", line: a + i + 1 }));
      lines.push(line);
      bytes += line.length;
    });
    return bytes;
  };
  work(0, Math.min(WARMUP_EVENTS, f.info.nEvents));
  const a = Math.min(WARMUP_EVENTS, f.info.nEvents);
  const nRef = Math.min(REFERENCE_EVENTS, f.info.nEvents - a);
  let t = process.hrtime.bigint();
  const bytes = work(a, a + nRef);
  const refRate = nRef / (Number(process.hrtime.bigint() - t) / 1e9);
  f.close();

  const output = path.join(dir, "prepare-out.jsonl");
  t = process.hrtime.bigint();
  const cpu0 = process.cpuUsage(); // all threads of this process, workers included
  const r = await prepare({ input, output, jobs, progress: true });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = r.events / seconds;
  // Identity: prepare's lines a..a+nRef against the in-process ones.
  const written = fs.readFileSync(output, "utf8").split("\n");
  let mismatch = -1;
  for (let i = 0; i < nRef && mismatch < 0; i++) if (written[a + i] !== lines[i]) mismatch = a + i;
  fs.rmSync(output, { force: true });
  // Start-up: the same prepare on a few events.
  const cpuS0 = process.cpuUsage();
  const small = await prepare({ input, output, jobs, stop: STARTUP_EVENTS, progress: false });
  const cpuS = process.cpuUsage(cpuS0);
  const startupCpu = (cpuS.user + cpuS.system) / 1e6;
  fs.rmSync(output, { force: true });

  const speedup = rate / refRate;
  console.log(`reference (same run): 1 core in-process, ${nRef} events: ${refRate.toFixed(0)} events/s (${(bytes / nRef).toFixed(0)} B/record)`);
  console.log(`prepare: ${r.events} events, ${jobs} workers: ${rate.toFixed(0)} events/s in ${seconds.toFixed(1)} s`);
  console.log(`  speed-up over 1 core: ${speedup.toFixed(2)}x on ${jobs} workers (efficiency ${((100 * speedup) / jobs).toFixed(0)}%)`);
  console.log(`  goal ${GOAL_EVENTS_PER_S} events/s: ratio ${(rate / GOAL_EVENTS_PER_S).toFixed(2)} -> ${rate >= GOAL_EVENTS_PER_S ? "MET" : "NOT MET"}`);
  console.log(`  1.1M-event R&D file: ${(RD_EVENTS / rate / 60).toFixed(1)} min here`);
  console.log(`  cores the goal needs: ${Math.ceil(GOAL_EVENTS_PER_S / refRate)} at the 1-core reference rate, ${Math.ceil(GOAL_EVENTS_PER_S / (rate / jobs))} at this run's rate per worker`);
  // CPU time is what other processes cannot take away: events per CPU-second is this code's
  // throughput per fully available core, whatever the load.
  const perCpu = r.events / cpuSeconds;
  console.log(`  CPU time ${cpuSeconds.toFixed(1)} s: ${perCpu.toFixed(0)} events per CPU-second -> ${Math.ceil(GOAL_EVENTS_PER_S / perCpu)} idle cores reach the goal (${(perCpu * os.availableParallelism()).toFixed(0)} events/s on ${os.availableParallelism()} idle cores)`);
  const steady = (r.events - small.events) / (cpuSeconds - startupCpu);
  console.log(`  start-up (prepare on ${small.events} events): ${startupCpu.toFixed(1)} CPU-s; steady state ${steady.toFixed(0)} events per CPU-second -> ${(steady * os.availableParallelism()).toFixed(0)} events/s on ${os.availableParallelism()} idle cores; 1.1M-event file on ${os.availableParallelism()} idle cores: ${((startupCpu + RD_EVENTS / steady) / os.availableParallelism() / 60).toFixed(1)} min`);
  console.log(`  output: ${mismatch < 0 ? `lines ${a + 1}..${a + nRef} byte-identical to the in-process records` : `line ${mismatch + 1} DIFFERS from the in-process record`}`);
  if (mismatch >= 0) process.exitCode = 1;
  console.log(`  (a shared or loaded machine lowers the wall-clock figures; load average now ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores)`);
}

main().catch((err) => {
  console.error(`bench:prepare: ${err?.stack ?? err}`);
  process.exitCode = 1;
});
