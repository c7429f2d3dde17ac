/**
 * Kill -9 harness: runs a `hepllm` command as a child process, SIGKILLs it at seeded random moments,
 * reruns it, and checks (a) the outputs of the run that completes are byte-identical to an
 * uninterrupted run and (b) no partial file is ever visible under its final name, by polling the
 * output folder while the child runs and checking it again after each kill.
 *
 * "Final name": any file whose name is not a temporary one (`.<name>.<pid>.<n>.tmp`, lib/util/atomic.ts).
 * "Parses completely", by extension: .json parses; .jsonl ends with a newline and every line parses;
 * .safetensors has a complete header and exactly the bytes its tensors' offsets claim; others: no check.
 * Logs (`log.jsonl`, append-only, with timestamps and throughput): each line must parse; compared
 * without the `time` and `tokensPerSecond` fields, and with repeated identical entries collapsed (a
 * rerun repeats the entries after the last checkpoint, or an eval whose process was killed after
 * its append): the distinct normalised entries, in order, must equal the uninterrupted run's.
 * `selected.json` (the run's selected checkpoint, rewritten as the run goes): after a kill it need
 * only parse; at the end it must equal the uninterrupted run's but for its `time` field.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../support/shared";

const HEPLLM = path.join(REPO_ROOT, "bin/hepllm.js");
/** Temporary names written by lib/util/atomic.ts: `.<name>.<pid>.<n>.tmp`. */
export const TEMP_NAME = /^\..*\.\d+\.\d+\.tmp$/;
/** The production backend choice (initBackend: wasm here), unless HEPLLM_BACKEND says otherwise. */
const ENV = { ...process.env, HEPLLM_QUIET_BACKEND: "1" };

/** mulberry32: a small seeded generator for the kill moments (independent of lib/util/rng). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every file under `dir` (relative paths, sorted); temporary names apart. */
export function listFiles(dir: string): { final: string[]; temp: string[] } {
  const final: string[] = [];
  const temp: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return; // removed while we looked (a rename of a folder into place)
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (TEMP_NAME.test(e.name)) temp.push(r);
      else if (e.isDirectory()) walk(path.join(d, e.name), r);
      else final.push(r);
    }
  };
  walk(dir, "");
  return { final: final.sort(), temp: temp.sort() };
}

/** Why a file is not complete, or undefined when it parses completely (or vanished meanwhile). */
export function incomplete(file: string): string | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "EISDIR") return undefined;
    throw err;
  }
  const name = path.basename(file);
  try {
    if (name.endsWith(".jsonl")) {
      const text = buf.toString("utf8");
      if (text.length > 0 && !text.endsWith("\n")) return "does not end with a newline";
      text.split("\n").slice(0, -1).forEach((line, i) => {
        try {
          JSON.parse(line);
        } catch {
          throw new Error(`line ${i + 1} is not complete JSON`);
        }
      });
    } else if (name.endsWith(".json")) {
      JSON.parse(buf.toString("utf8"));
    } else if (name.endsWith(".safetensors")) {
      if (buf.length < 8) return `${buf.length} bytes, no header`;
      const n = Number(buf.readBigUInt64LE(0));
      if (8 + n > buf.length) return "header cut short";
      const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { data_offsets?: [number, number] }>;
      const end = Math.max(0, ...Object.values(header).map((t) => t.data_offsets?.[1] ?? 0));
      if (8 + n + end !== buf.length) return `${buf.length} bytes, tensors claim ${8 + n + end}`;
    }
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** A log's entries without timestamps and throughput, repeated identical entries collapsed. */
export function normalisedLog(file: string): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line === "") continue;
    const e = JSON.parse(line) as Record<string, unknown>;
    delete e.time;
    delete e.tokensPerSecond;
    const s = JSON.stringify(e);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

const isLog = (rel: string) => path.basename(rel) === "log.jsonl";
/** Rewritten as the run goes, with a `time` field: the run's selected checkpoint (lib/train/selection.ts). */
const isSelection = (rel: string) => path.basename(rel) === "selected.json";
const withoutTime = (file: string) => {
  const o = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  delete o.time;
  return JSON.stringify(o);
};

/** Differences between an output folder and the reference one (empty: identical). */
export function compareTrees(dir: string, ref: string): string[] {
  const a = listFiles(dir).final;
  const b = listFiles(ref).final;
  const diffs: string[] = [];
  for (const f of b) if (!a.includes(f)) diffs.push(`${f}: missing`);
  for (const f of a) if (!b.includes(f)) diffs.push(`${f}: not in the uninterrupted run`);
  for (const f of a.filter((x) => b.includes(x))) {
    if (isLog(f)) {
      if (JSON.stringify(normalisedLog(path.join(dir, f))) !== JSON.stringify(normalisedLog(path.join(ref, f)))) diffs.push(`${f}: entries differ`);
    } else if (isSelection(f)) {
      if (withoutTime(path.join(dir, f)) !== withoutTime(path.join(ref, f))) diffs.push(`${f}: differs (time apart)`);
    } else if (!fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(ref, f)))) diffs.push(`${f}: bytes differ`);
  }
  return diffs;
}

/**
 * What a killed run left: every file under a final name parses completely, and one the reference
 * also has is byte-identical to it (a log: every entry is one of the reference's).
 */
export function checkAfterKill(dir: string, ref: string): string[] {
  const problems: string[] = [];
  const refFiles = new Set(listFiles(ref).final);
  // Folders written whole (named with a number: checkpoint-<n>, split/1-10; digits stand for any
  // number) must hold the same file names as the reference's, so a half-written or half-deleted
  // one shows. (A run folder fills up as the run goes: not checked.)
  const kind = (folder: string) => folder.replace(/\d+/g, "#");
  const byFolder = (files: Iterable<string>) => {
    const m = new Map<string, string[]>();
    for (const f of files) m.set(path.dirname(f), [...(m.get(path.dirname(f)) ?? []), path.basename(f)]);
    return m;
  };
  const refKinds = new Map<string, string>();
  for (const [folder, names] of byFolder(refFiles)) refKinds.set(kind(folder), names.sort().join(","));
  for (const [folder, names] of byFolder(listFiles(dir).final)) {
    const want = refKinds.get(kind(folder));
    if (want !== undefined && /\d/.test(path.basename(folder)) && names.sort().join(",") !== want) problems.push(`${folder}/: holds ${names.join(",")}; a complete one holds ${want}`);
  }
  for (const f of listFiles(dir).final) {
    const why = incomplete(path.join(dir, f));
    if (why) problems.push(`${f}: ${why}`);
    else if (isLog(f)) {
      const known = new Set(normalisedLog(path.join(ref, f)));
      for (const e of normalisedLog(path.join(dir, f))) if (!known.has(e)) problems.push(`${f}: entry not in the uninterrupted run: ${e.slice(0, 120)}`);
    } else if (refFiles.has(f) && !isSelection(f) && !fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(ref, f)))) problems.push(`${f}: differs from the uninterrupted run`);
  }
  return problems;
}

export interface RunResult {
  /** True when the SIGKILL hit a running process. */
  killed: boolean;
  code: number | null;
  ms: number;
  stderr: string;
  /** Partial files seen under a final name while it ran. */
  partial: string[];
  polls: number;
}

/** Runs `hepllm <args>`, SIGKILLed after `killAfterMs` unless it ends first; polls `watch` every `pollMs`. */
export function runHepllm(args: string[], opts: { cwd?: string; killAfterMs?: number; watch?: string; pollMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn("nice", ["-n", "5", process.execPath, HEPLLM, ...args], { env: ENV, cwd: opts.cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const partial: string[] = [];
    let polls = 0;
    const poll = () => {
      if (!opts.watch) return;
      polls++;
      for (const f of listFiles(opts.watch).final) {
        const why = incomplete(path.join(opts.watch, f));
        if (why && !partial.includes(`${f}: ${why}`)) partial.push(`${f}: ${why}`);
      }
    };
    const poller = opts.watch ? setInterval(poll, opts.pollMs ?? 25) : undefined;
    let killed = false;
    const killer = opts.killAfterMs !== undefined ? setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        killed = true;
        // `nice` execs node, so this pid is node itself.
        child.kill("SIGKILL");
      }
    }, opts.killAfterMs) : undefined;
    child.once("exit", (code) => {
      clearInterval(poller);
      clearTimeout(killer);
      poll();
      resolve({ killed, code, ms: Date.now() - t0, stderr, partial, polls });
    });
  });
}

export interface ChainReport {
  kills: number;
  completions: number;
  identical: number;
  partialSeen: string[];
  problems: string[];
}

/**
 * The kill chain for one command: from a fresh state, run it and SIGKILL it at a seeded moment in
 * [boot, 0.95 × run duration] (the shortest of the last three uninterrupted runs; boot: at most half
 * of it); check what it left; rerun (so a resume may itself be killed). A run
 * that completes before its kill moment is compared with the reference and the state is reset.
 * Ends with an uninterrupted rerun and its comparison, after `kills` kills.
 */
export async function killChain(o: {
  args: string[];
  /** Working folder of the command (its arguments are relative, so its outputs match the reference's byte for byte). */
  cwd: string;
  /** Output folder (created by `fresh`) and the uninterrupted run's. */
  out: string;
  ref: string;
  /** Restores the inputs and empties `out`. */
  fresh: () => void;
  refMs: number;
  bootMs: number;
  kills: number;
  seed: number;
}): Promise<ChainReport> {
  const rnd = seeded(o.seed);
  const rep: ChainReport = { kills: 0, completions: 0, identical: 0, partialSeen: [], problems: [] };
  const completed = (r: RunResult) => {
    if (r.code !== 0) rep.problems.push(`exit ${r.code}: ${r.stderr.slice(-400)}`);
    rep.completions++;
    const d = compareTrees(o.out, o.ref);
    if (d.length === 0) rep.identical++;
    else rep.problems.push(`after completion ${rep.completions}: ${d.join("; ")}`);
  };
  o.fresh();
  // Durations of completed runs: the kill window follows them, as the machine's load changes.
  const durations = [o.refMs];
  while (rep.kills < o.kills) {
    const span = Math.min(...durations.slice(-3));
    const from = Math.min(o.bootMs, 0.5 * span);
    const at = from + rnd() * (0.95 * span - from);
    const r = await runHepllm(o.args, { cwd: o.cwd, killAfterMs: at, watch: o.out });
    rep.partialSeen.push(...r.partial);
    if (r.killed) {
      rep.kills++;
      for (const p of checkAfterKill(o.out, o.ref)) rep.problems.push(`after kill ${rep.kills} at ${at.toFixed(0)} ms: ${p}`);
    } else {
      if (rep.completions > 3 * o.kills) throw new Error(`${o.args[0]}: ${rep.completions} runs ended before their kill moment; the kill window is off`);
      durations.push(r.ms);
      completed(r);
      o.fresh();
    }
  }
  completed(await runHepllm(o.args, { cwd: o.cwd, watch: o.out }));
  return rep;
}
