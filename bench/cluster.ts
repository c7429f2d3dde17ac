/**
 * `npm run bench:cluster`: hepllm's clustering (and record features) against FastJet 3.4 on the same
 * events in one run: the LHCO tiny file's 1000 real events (when ../shared is present) and seeded
 * random LHCO-like events. FastJet runs as a compiled C++ driver (bench/fastjet/driver.cc, built into
 * build/ against Debian's libfastjet-dev). Runs alternate and the best of several is kept, so machine
 * load hits both sides alike; CPU time is reported beside wall time.
 *   Goal (issue 15, item 3): hepllm / FastJet <= 1.0 for clustering, and for clustering + tau1..3
 *   of the two leading jets, on every case. Read the CPU-time ratio on a shared machine.
 * The "+ tau1..3" line is the FastJet driver's features loop, step for step (four-momenta in,
 * cluster, tau of the leading jets); the "records" line adds what `prepare` does on top (four-
 * momenta from pT, eta, phi, the record's kinematics), with no FastJet counterpart.
 */
import * as os from "node:os";
import { clusterFourMomenta, eventRecord, fourMomenta, FourMomenta, nsubjettiness } from "../lib/jets";
import { openLHCO } from "../lib/events";
import type { Event } from "../lib/events/event";
import { buildFastjetDriver, fastjetTiming, fastjetUnavailable } from "./fastjet/driver";
import { randomEvents } from "./fastjet/random-events";
import { sharedFile } from "../test/support/shared";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DEF = { algorithm: "antikt" as const, R: 1.0 };
const PTMIN = 20;

interface Times { wall: number; cpu: number } // microseconds per event
/** One row of the summary: CPU-time ratios hepllm / FastJet. */
const summary: { label: string; cluster: number; tau: number }[] = [];
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
  timeJs(events, fms, 1, "cluster"); // JIT warm-up
  timeJs(events, fms, 1, "tau");
  timeJs(events, fms, 1, "features");
  let jsC: Times | undefined, jsT: Times | undefined, jsF: Times | undefined, fjC: Times | undefined, fjF: Times | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    jsC = best(jsC, timeJs(events, fms, reps, "cluster"));
    const fj = fastjetTiming(DEF.algorithm, DEF.R, PTMIN, 2, fms, counts, reps);
    fjC = best(fjC, { wall: fj.clusterNs / 1000, cpu: fj.clusterCpuNs / 1000 });
    fjF = best(fjF, { wall: fj.featuresNs / 1000, cpu: fj.featuresCpuNs / 1000 });
    jsT = best(jsT, timeJs(events, fms, reps, "tau"));
    jsF = best(jsF, timeJs(events, fms, reps, "features"));
    process.stderr.write(`\r${label}: round ${round + 1}/${ROUNDS}`);
  }
  process.stderr.write("\n");
  console.log(`\n${label}: ${events.length} events, ${n.toFixed(0)} particles/event, anti-kt R=${DEF.R}, pT > ${PTMIN} GeV, best of ${ROUNDS}`);
  console.log(`  clustering         hepllm ${fmt(jsC!)} | FastJet ${fmt(fjC!)} | ratio ${(jsC!.wall / fjC!.wall).toFixed(2)}x wall, ${(jsC!.cpu / fjC!.cpu).toFixed(2)}x cpu`);
  console.log(`  + tau1..3 (2 jets) hepllm ${fmt(jsT!)} | FastJet ${fmt(fjF!)} | ratio ${(jsT!.wall / fjF!.wall).toFixed(2)}x wall, ${(jsT!.cpu / fjF!.cpu).toFixed(2)}x cpu`);
  console.log(`  hepllm records    ${fmt(jsF!)}: ${(1e6 / jsF!.cpu).toFixed(0)} events/s per core of CPU time (${(1e6 / jsF!.wall).toFixed(0)} by wall clock) (eventRecord from pT, eta, phi)`);
  summary.push({ label, cluster: jsC!.cpu / fjC!.cpu, tau: jsT!.cpu / fjF!.cpu });
}

async function main(): Promise<void> {
  const why = fastjetUnavailable();
  if (why) {
    console.error(`bench:cluster: ${why}`);
    process.exit(1);
  }
  buildFastjetDriver();
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
    console.log(`  ${r.label.padEnd(48)} clustering ${verdict(r.cluster)} | + tau1..3 ${verdict(r.tau)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
