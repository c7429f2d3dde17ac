/**
 * `split`: one labelled record file -> a training and a validation file per signal:background
 * ratio, `<outDir>/<s>-<b>/{train,val}.jsonl`, plus `<outDir>/split.json` (the counts).
 *
 * Design (no leakage across any sets): signal and background records are shuffled separately
 * with the seed. The first records of each shuffled class form one global validation pool, just
 * large enough for the largest validation set; every validation set is a prefix of the pool and
 * every training set is drawn from what follows it, so no validation event of any set appears in
 * any training file. Training sets of different ratios may share events (they are alternatives).
 *
 * Sizes: a set is k units of (s signal + b background), so its ratio is always exact.
 * - Validation: k = floor(valSize / (s + b)) (a note when valSize is not a multiple of s + b,
 *   e.g. 8000 at 1:10 gives 7997), capped so that validation takes at most half of each class
 *   (training must not starve), with a warning when capped.
 * - Training: as many whole units as the events after the pool allow (capped by trainSizes when
 *   given); when signal runs short the set is smaller, still exact, with a warning.
 * Lines are copied verbatim (validated on read), in a seeded shuffled order within each file.
 * The pool depends on every requested set, so the same seed gives the same files only for the
 * same ratios and sizes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeDirAtomic, writeFileAtomic } from "../util/atomic";
import { Progress } from "../util/progress";
import { Rng } from "../util/rng";
import { jsonlLines, parseRecordLine } from "./jsonl";

export interface SplitOptions {
  /** Labelled JSONL records (from prepare). */
  input: string;
  /** Output folder; each ratio gets a sub-folder named like `1-10`. */
  outDir: string;
  /** signal:background ratios, e.g. [[1, 1], [1, 10]]. Positive integers. */
  ratios: Array<[number, number]>;
  /** Validation set size (events) per ratio, or one size for all. */
  valSizes: number[];
  /** Shuffle seed; the same seed and input give byte-identical outputs. */
  seed: number;
  /** Optional training set size caps (events) per ratio, or one for all; default: as many as possible. */
  trainSizes?: number[];
  /** Where warnings go; default stderr ("warning: ..."). */
  warn?: (message: string) => void;
  /** A progress line on stderr while reading a large input (>= 100k records); default false. */
  progress?: boolean;
}

export interface SplitPart {
  path: string;
  signal: number;
  background: number;
  total: number;
}

export interface SplitSet {
  ratio: [number, number];
  /** Folder name, e.g. "1-10". */
  name: string;
  dir: string;
  train: SplitPart;
  val: SplitPart;
}

export interface SplitSummary {
  input: string;
  outDir: string;
  seed: number;
  /** Labelled records available in the input. */
  available: { signal: number; background: number };
  /** The global validation pool (never used for training). */
  pool: { signal: number; background: number };
  sets: SplitSet[];
  /** Sets smaller than asked for (also printed to stderr as they happen). */
  warnings: string[];
  /** Sizes rounded down to whole units (shown under the counts). */
  notes: string[];
}

const PROGRESS_EVERY = 100_000;

/** Where each record's line sits in the input. */
interface Lines {
  offsets: number[];
  bytes: number[];
}

export function split(opts: SplitOptions): SplitSummary {
  const { ratios, seed } = opts;
  if (ratios.length === 0) throw new Error("split: no ratios given");
  for (const [s, b] of ratios) {
    if (!(Number.isInteger(s) && Number.isInteger(b) && s > 0 && b > 0)) {
      throw new Error(`split: ratio ${s}:${b} must be two positive integers`);
    }
  }
  const valSizes = perRatio(opts.valSizes, ratios.length, "validation sizes");
  const trainSizes = opts.trainSizes ? perRatio(opts.trainSizes, ratios.length, "training sizes") : undefined;
  const warnings: string[] = [];
  const notes: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    (opts.warn ?? ((x: string) => process.stderr.write(`warning: ${x}\n`)))(m);
  };

  const sig: Lines = { offsets: [], bytes: [] };
  const bkg: Lines = { offsets: [], bytes: [] };
  const progress = opts.progress ? new Progress({ label: "split: reading", unit: "records" }) : undefined;
  let nRead = 0;
  for (const l of jsonlLines(opts.input)) {
    if (++nRead % PROGRESS_EVERY === 0) progress?.tick(PROGRESS_EVERY);
    const rec = parseRecordLine(l.text, { file: opts.input, line: l.line });
    if (rec.type === "unknown") {
      throw new Error(`${opts.input}:${l.line}: type is "unknown": split needs labelled records (prepare a labelled file, or give --masterkey)`);
    }
    const into = rec.type === "signal" ? sig : bkg;
    into.offsets.push(l.offset);
    into.bytes.push(l.bytes);
  }
  if (progress && nRead >= PROGRESS_EVERY) {
    progress.tick(nRead % PROGRESS_EVERY);
    progress.finish();
  }
  const S = sig.offsets.length;
  const B = bkg.offsets.length;
  const rng = new Rng(seed);
  const sigOrder = rng.shuffle(range(S));
  const bkgOrder = rng.shuffle(range(B));

  // Validation units per ratio, then the pool that holds them all.
  const valUnits = ratios.map(([s, b], i) => {
    const name = ratioName(s, b);
    const u = s + b;
    let k = Math.floor(valSizes[i] / u);
    if (valSizes[i] % u !== 0) notes.push(`${name}: validation size ${valSizes[i]} is not a multiple of ${u}; using ${k * u} (${k * s} signal + ${k * b} background)`);
    const cap = Math.min(Math.floor(S / 2 / s), Math.floor(B / 2 / b));
    if (k > cap) {
      warn(`${name}: only ${S} signal and ${B} background records; validation reduced from ${k * u} to ${cap * u} events (at most half of each class)`);
      k = cap;
    }
    return k;
  });
  const poolS = Math.max(...ratios.map(([s], i) => valUnits[i] * s));
  const poolB = Math.max(...ratios.map(([, b], i) => valUnits[i] * b));

  const sets: SplitSet[] = [];
  const fd = fs.openSync(opts.input, "r");
  try {
    ratios.forEach(([s, b], i) => {
      const name = ratioName(s, b);
      const u = s + b;
      let k = Math.min(Math.floor((S - poolS) / s), Math.floor((B - poolB) / b));
      if (trainSizes) {
        const want = Math.floor(trainSizes[i] / u);
        if (k < want) warn(`${name}: not enough records for a training set of ${trainSizes[i]}; using ${k * u} (${k * s} signal + ${k * b} background)`);
        k = Math.min(k, want);
      }
      if (k === 0) warn(`${name}: the training set is empty (${S} signal, ${B} background records, ${poolS}+${poolB} kept for validation)`);
      const train = pick(sig, sigOrder.slice(poolS, poolS + k * s), bkg, bkgOrder.slice(poolB, poolB + k * b), rng);
      const val = pick(sig, sigOrder.slice(0, valUnits[i] * s), bkg, bkgOrder.slice(0, valUnits[i] * b), rng);
      const dir = path.join(opts.outDir, name);
      writeDirAtomic(dir, (tmp) => {
        copyLines(fd, train, path.join(tmp, "train.jsonl"));
        copyLines(fd, val, path.join(tmp, "val.jsonl"));
      });
      sets.push({
        ratio: [s, b],
        name,
        dir,
        train: { path: path.join(dir, "train.jsonl"), signal: k * s, background: k * b, total: k * u },
        val: { path: path.join(dir, "val.jsonl"), signal: valUnits[i] * s, background: valUnits[i] * b, total: valUnits[i] * u },
      });
    });
  } finally {
    fs.closeSync(fd);
  }
  const summary: SplitSummary = {
    input: opts.input,
    outDir: opts.outDir,
    seed,
    available: { signal: S, background: B },
    pool: { signal: poolS, background: poolB },
    sets,
    warnings,
    notes,
  };
  writeFileAtomic(path.join(opts.outDir, "split.json"), JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

/** "1-10" for 1:10. */
export function ratioName(s: number, b: number): string {
  return `${s}-${b}`;
}

/** The counts as a small table, for the CLI and the demo. */
export function formatSplitSummary(sum: SplitSummary): string {
  const rows = [
    `input ${sum.input}: ${sum.available.signal} signal, ${sum.available.background} background; seed ${sum.seed}`,
    `validation pool (never trained on): ${sum.pool.signal} signal, ${sum.pool.background} background`,
    `${"set".padEnd(8)} ${"part".padEnd(6)} ${"signal".padStart(8)} ${"backgr.".padStart(9)} ${"total".padStart(9)}  file`,
  ];
  for (const st of sum.sets) {
    for (const [part, p] of [["train", st.train], ["val", st.val]] as const) {
      rows.push(`${st.name.padEnd(8)} ${part.padEnd(6)} ${String(p.signal).padStart(8)} ${String(p.background).padStart(9)} ${String(p.total).padStart(9)}  ${p.path}`);
    }
  }
  for (const n of sum.notes) rows.push(`note: ${n}`);
  return rows.join("\n");
}

function perRatio(xs: number[], n: number, what: string): number[] {
  if (xs.length !== 1 && xs.length !== n) throw new Error(`split: ${xs.length} ${what} for ${n} ratios (give one, or one per ratio)`);
  for (const x of xs) if (!(Number.isInteger(x) && x >= 0)) throw new Error(`split: ${what} must be whole numbers >= 0, got ${x}`);
  return xs.length === n ? xs : new Array<number>(n).fill(xs[0]);
}

function range(n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** The chosen signal and background lines, shuffled together. */
function pick(sig: Lines, sIdx: number[], bkg: Lines, bIdx: number[], rng: Rng): Lines {
  const both = [...sIdx.map((j) => [sig.offsets[j], sig.bytes[j]]), ...bIdx.map((j) => [bkg.offsets[j], bkg.bytes[j]])];
  rng.shuffle(both);
  return { offsets: both.map((x) => x[0]), bytes: both.map((x) => x[1]) };
}

/** Copies the given input lines (byte ranges of `fd`) to a new file, one per line. */
function copyLines(fd: number, lines: Lines, out: string): void {
  const BUF = 1 << 22;
  let buf = Buffer.allocUnsafe(BUF);
  let used = 0;
  const o = fs.openSync(out, "w");
  try {
    for (let i = 0; i < lines.offsets.length; i++) {
      const n = lines.bytes[i];
      if (used + n + 1 > buf.length) {
        fs.writeSync(o, buf, 0, used);
        used = 0;
        if (n + 1 > buf.length) buf = Buffer.allocUnsafe(n + 1);
      }
      if (fs.readSync(fd, buf, used, n, lines.offsets[i]) !== n) throw new Error(`${out}: the input changed while splitting`);
      used += n;
      buf[used++] = 10;
    }
    fs.writeSync(o, buf, 0, used);
  } finally {
    fs.closeSync(o);
  }
}
