/**
 * The FastJet reference driver (driver.cc): compiled on demand into build/ against Debian's
 * libfastjet-dev (`fastjet-config`), fed events as four-momenta, its output parsed back.
 * Reference tooling for tests and benchmarks only; never a runtime dependency.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { FourMomenta } from "../../lib/jets/pseudojet";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SOURCE = path.join(__dirname, "driver.cc");
const BINARY = path.join(REPO_ROOT, "build", "fastjet-driver");

/** Why the driver is unavailable (fastjet-config or g++ missing), or false when it can be built. */
export function fastjetUnavailable(): string | false {
  const fc = spawnSync("fastjet-config", ["--version"], { encoding: "utf8" });
  if (fc.status !== 0) return "FastJet is not installed (apt-get install libfastjet-dev); FastJet comparison skipped";
  const gxx = spawnSync("g++", ["--version"], { encoding: "utf8" });
  if (gxx.status !== 0) return "g++ is not installed; FastJet comparison skipped";
  return false;
}

/** Path of the compiled driver, building it when missing or older than its source. Throws on a compile error. */
export function buildFastjetDriver(): string {
  const stale = !fs.existsSync(BINARY) || fs.statSync(BINARY).mtimeMs < fs.statSync(SOURCE).mtimeMs;
  if (!stale) return BINARY;
  const flags = spawnSync("fastjet-config", ["--cxxflags", "--libs"], { encoding: "utf8" });
  if (flags.status !== 0) throw new Error(`fastjet-config failed: ${flags.stderr}`);
  fs.mkdirSync(path.dirname(BINARY), { recursive: true });
  const tmp = `${BINARY}.${process.pid}.tmp`;
  // Only libfastjet is needed; Debian's fastjet-config also lists -lfastjettools, which it does not ship.
  const fjFlags = flags.stdout.trim().split(/\s+/).filter((f) => f !== "-lfastjettools");
  const args = ["-O2", "-std=c++17", "-o", tmp, SOURCE, ...fjFlags];
  const cc = spawnSync("g++", args, { encoding: "utf8" });
  if (cc.status !== 0) throw new Error(`compiling ${SOURCE} failed:\n${cc.stderr}`);
  fs.renameSync(tmp, BINARY); // atomic: a concurrent test never runs a half-written binary
  return BINARY;
}

/** The driver's binary input: int32 nEvents, then per event int32 n and px, py, pz, E columns. */
export function encodeEvents(events: FourMomenta[], counts: number[]): Buffer {
  let bytes = 4;
  for (const n of counts) bytes += 4 + 32 * n;
  const buf = Buffer.alloc(bytes);
  let o = buf.writeInt32LE(events.length, 0);
  events.forEach((fm, e) => {
    const n = counts[e];
    o = buf.writeInt32LE(n, o);
    for (const col of [fm.px, fm.py, fm.pz, fm.E]) for (let i = 0; i < n; i++) o = buf.writeDoubleLE(col[i], o);
  });
  return buf;
}

export interface DriverJet { px: number; py: number; pz: number; E: number; tau: [number, number, number]; constituents: number[] }
export interface DriverEvent { nJets: number; jets: DriverJet[] }

function runDriver(args: string[], events: FourMomenta[], counts: number[]): string {
  const bin = buildFastjetDriver();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-fastjet-"));
  try {
    const input = path.join(dir, "events.bin");
    fs.writeFileSync(input, encodeEvents(events, counts));
    const r = spawnSync(bin, [...args.slice(0, 4), input, ...args.slice(4)], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`fastjet-driver failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** FastJet's inclusive jets (the leading maxJets, with tau1..3) of each event, at full double precision. */
export function fastjetCluster(algorithm: string, R: number, ptmin: number, maxJets: number, events: FourMomenta[], counts: number[]): DriverEvent[] {
  const out: DriverEvent[] = [];
  for (const line of runDriver([algorithm, String(R), String(ptmin), String(maxJets)], events, counts).split("\n")) {
    const f = line.split(" ");
    if (f[0] === "event") out.push({ nJets: Number(f[2]), jets: [] });
    else if (f[0] === "jet") {
      const v = f.slice(1).map(Number);
      out[out.length - 1].jets.push({ px: v[0], py: v[1], pz: v[2], E: v[3], tau: [v[4], v[5], v[6]], constituents: v.slice(8, 8 + v[7]) });
    }
  }
  return out;
}

export interface FastjetTiming {
  /** Wall and CPU time per event [ns] of clustering (inclusive jets sorted by pT). */
  clusterNs: number;
  clusterCpuNs: number;
  /** The same plus tau1..3 of the leading maxJets jets. */
  featuresNs: number;
  featuresCpuNs: number;
}

/** FastJet's time per event, each event clustered `reps` times. */
export function fastjetTiming(algorithm: string, R: number, ptmin: number, maxJets: number, events: FourMomenta[], counts: number[], reps: number): FastjetTiming {
  const text = runDriver([algorithm, String(R), String(ptmin), String(maxJets), String(reps)], events, counts);
  const get = (key: string) => Number(/(\S+)\s+(\S+)/.exec(text.split("\n").find((l) => l.startsWith(key)) ?? "")?.[2]);
  return {
    clusterNs: get("cluster_ns_per_event "), clusterCpuNs: get("cluster_cpu_ns_per_event"),
    featuresNs: get("features_ns_per_event "), featuresCpuNs: get("features_cpu_ns_per_event"),
  };
}
