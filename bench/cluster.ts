/**
 * `npm run bench:cluster`: hepllm's clustering (and record features) against FastJet 3.4 on the same
 * events in one run: the LHCO tiny file's 1000 real events (when ../shared is present) and seeded
 * random LHCO-like events. FastJet runs as a compiled C++ driver (bench/fastjet/driver.cc, built into
 * build/ against Debian's libfastjet-dev). Runs alternate and the best of several is kept, so machine
 * load hits both sides alike; CPU time is reported beside wall time.
 *   Goal (issue 15, item 3): hepllm / FastJet <= 1.0 for clustering, and for clustering + tau1..3
 *   of the two leading jets, on every case. Read the CPU-time ratio on a shared machine.
 * Both clustering paths are timed in the same run: native (native/cluster.cc, when the addon is
 * built) and the portable JS one (tiled.ts), each against the same FastJet rounds.
 * The "+ tau1..3" line is the FastJet driver's features loop, step for step (four-momenta in,
 * cluster, tau of the leading jets); the "records" line adds what `prepare` does on top (four-
 * momenta from pT, eta, phi, the record's kinematics), with no FastJet counterpart.
 */
import * as os from "node:os";
import { clusterFourMomenta, eventRecord, fourMomenta, FourMomenta, nsubjettiness } from "../lib/jets";
import { useNativeClustering } from "../lib/jets/cluster";
import { nativeClusterUnavailable } from "../lib/jets/native-tiled";
import { openLHCO } from "../lib/events";
import type { Event } from "../lib/events/event";
import { buildFastjetDriver, fastjetTiming, fastjetUnavailable } from "./fastjet/driver";
import { randomEvents } from "./fastjet/random-events";
import { sharedFile } from "../test/support/shared";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DEF = { algorithm: "antikt" as const, R: 1.0 };
const PTMIN = 20;

interface Times { wall: number; cpu: number } // microseconds per event
/** One row of the summary: CPU-time ratios hepllm / FastJet, per clustering path. */
const summary: { label: string; path: string; cluster: number; tau: number }[] = [];
/** The clustering paths timed: native (when built) and portable JS, switched in one process. */
const PATHS: { name: string; native: boolean }[] = [];
const tau = new Float64Array(3);

/**
 * hepllm's time per event. "cluster" starts, like the FastJet driver, from the four-momenta;
 * "tau" adds tau1..3 of the 2 leading jets (the driver's features loop); "features" is the whole
 * eventRecord from (pT, eta, phi): four-momenta, clustering, tau, record.
 */
function timeJs(events: Event[], fms: FourMomenta[], reps: number, what: "cluster" | "tau" | "features"): Times {
  const c0 = process.cpuUsage(), t0 = performance.now();
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < events.length; i++) {
      if (what === "cluster") sink += clusterFourMomenta(fms[i], events[i].pt, DEF, PTMIN).length;
      else if (what === "tau") {
        const jets = clusterFourMomenta(fms[i], events[i].pt, DEF, PTMIN);
        for (let j = 0; j < jets.length && j < 2; j++) sink += nsubjettiness(fms[i], jets[j].constituents, { R0: DEF.R }, tau)[0];
      } else sink += eventRecord(events[i]).n_jets;
    }
  }
  const wall = ((performance.now() - t0) * 1000) / (reps * events.length);
  const c = process.cpuUsage(c0);
  if (sink < 0) console.log(sink);
  return { wall, cpu: (c.user + c.system) / (reps * events.length) };
}

function best(a: Times | undefined, b: Times): Times {
  return a ? { wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) } : b;
}

function fmt(t: Times): string {
  return `${t.wall.toFixed(1).padStart(7)} us wall ${t.cpu.toFixed(1).padStart(7)} us cpu`;
}

function benchSet(label: string, events: Event[]): void {
  const n = events.reduce((s, e) => s + e.pt.length, 0) / events.length;
  const fms = events.map((e) => fourMomenta(e.pt, e.eta, e.phi));
  const counts = events.map((e) => e.pt.length);
  const reps = Math.max(1, Math.round(2000 / events.length));
  const js = PATHS.map(() => ({} as { c?: Times; t?: Times; f?: Times }));
  for (const path of PATHS) {
    useNativeClustering(path.native);
    timeJs(events, fms, 1, "cluster"); // JIT warm-up
    timeJs(events, fms, 1, "tau");
    timeJs(events, fms, 1, "features");
  }
  let fjC: Times | undefined, fjF: Times | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const fj = fastjetTiming(DEF.algorithm, DEF.R, PTMIN, 2, fms, counts, reps);
    fjC = best(fjC, { wall: fj.clusterNs / 1000, cpu: fj.clusterCpuNs / 1000 });
    fjF = best(fjF, { wall: fj.featuresNs / 1000, cpu: fj.featuresCpuNs / 1000 });
    PATHS.forEach((path, k) => {
      useNativeClustering(path.native);
      js[k].c = best(js[k].c, timeJs(events, fms, reps, "cluster"));
      js[k].t = best(js[k].t, timeJs(events, fms, reps, "tau"));
      js[k].f = best(js[k].f, timeJs(events, fms, reps, "features"));
    });
    process.stderr.write(`\r${label}: round ${round + 1}/${ROUNDS}`);
  }
  process.stderr.write("\n");
  console.log(`\n${label}: ${events.length} events, ${n.toFixed(0)} particles/event, anti-kt R=${DEF.R}, pT > ${PTMIN} GeV, best of ${ROUNDS}`);
  console.log(`  FastJet 3.4: clustering ${fmt(fjC!)} | + tau1..3 (2 jets) ${fmt(fjF!)}`);
  PATHS.forEach((path, k) => {
    const { c, t, f } = js[k] as Required<(typeof js)[number]>;
    console.log(`  hepllm ${path.name.padEnd(9)} clustering ${fmt(c)} ratio ${(c.wall / fjC!.wall).toFixed(2)}x wall, ${(c.cpu / fjC!.cpu).toFixed(2)}x cpu`);
    console.log(`  hepllm ${path.name.padEnd(9)} + tau1..3  ${fmt(t)} ratio ${(t.wall / fjF!.wall).toFixed(2)}x wall, ${(t.cpu / fjF!.cpu).toFixed(2)}x cpu`);
    console.log(`  hepllm ${path.name.padEnd(9)} records   ${fmt(f)}: ${(1e6 / f.cpu).toFixed(0)} events/s per core of CPU time (${(1e6 / f.wall).toFixed(0)} by wall clock) (eventRecord from pT, eta, phi)`);
    summary.push({ label, path: path.name, cluster: c.cpu / fjC!.cpu, tau: t.cpu / fjF!.cpu });
  });
}

async function main(): Promise<void> {
  const why = fastjetUnavailable();
  if (why) {
    console.error(`bench:cluster: ${why}`);
    process.exit(1);
  }
  buildFastjetDriver();
  if (useNativeClustering(true)) PATHS.push({ name: "native", native: true });
  else console.log(`(native clustering unavailable: ${nativeClusterUnavailable()}; portable JS only)`);
  PATHS.push({ name: "JS", native: false });
  const tiny = sharedFile("fixtures/lhco/events_anomalydetection_tiny.h5");
  if (tiny) {
    const file = await openLHCO(tiny);
    const events = file.read(0, file.info.nEvents);
    file.close();
    benchSet("LHCO R&D tiny file (real events)", events);
  } else {
    console.log("(../shared is missing: real LHCO events skipped)");
  }
  benchSet("random LHCO-like events (seed 1)", randomEvents(1000, 1));
  benchSet("random LHCO-like events, 400 particles (seed 2)", randomEvents(500, 2, { meanParticles: 400 }));
  console.log(`\nsummary (CPU time hepllm / FastJet, same run; goal <= 1.00; load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores)`);
  for (const r of summary) {
    const verdict = (x: number): string => `${x.toFixed(2)}x ${x <= 1 ? "MET" : "not met"}`;
    console.log(`  ${r.label.padEnd(48)} ${r.path.padEnd(6)} clustering ${verdict(r.cluster)} | + tau1..3 ${verdict(r.tau)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
