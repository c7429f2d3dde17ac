/**
 * `split`: one labelled record file -> training, validation and test files per signal:background
 * ratio, `<outDir>/<s>-<b>/{train,val,test}.jsonl`, plus `<outDir>/split.json` (counts and a hash
 * of each set's event ids).
 *
 * Design (no event in two sets, across ratios too): signal and background records are shuffled
 * separately with the seed, then cut into consecutive blocks, in this order: the test sets of
 * every ratio, then the validation sets, then the training sets. So every set of every ratio is
 * disjoint from every other (1:1 and 1:10 share no event, not even signal), and a test set depends
 * only on the seed, the ratios and the test sizes (not on validation or training sizes, unless the
 * test and validation sets had to shrink).
 * After writing, the files are read back (verifySplit) and the split fails if any event id sits
 * in two sets; duplicate ids in the input are refused up front.
 *
 * Sizes: a set is k units of (s signal + b background), so its ratio is always exact.
 * - Test and validation: k = floor(size / (s + b)) (a note when size is not a multiple of s + b,
 *   e.g. 8000 at 1:10 gives 7997). Together they take at most half of each class while any
 *   training set is asked for (training must not starve); beyond that every test and validation
 *   set shrinks by the same factor, with a warning.
 * - Training: with trainSizes, each ratio in order takes k = floor(size / (s + b)) units (0 = no
 *   training set, train.jsonl empty), fewer with a warning when the rest runs short. Without,
 *   the ratios share what remains: equal shares of signal, and of background a water-filling
 *   share (a ratio that needs less leaves the rest to the others); a warning when one is empty.
 * Lines are copied verbatim (validated on read), in a seeded shuffled order within each file.
 * The same seed, input, ratios and sizes give byte-identical files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeDirAtomic, writeFileAtomic } from "../util/atomic";
import { Progress } from "../util/progress";
import { Rng } from "../util/rng";
import { jsonlLines, parseRecordLine } from "./jsonl";
import { idsSha256, SPLIT_PARTS, verifySplit } from "./split-check";

export interface SplitOptions {
  /** Labelled JSONL records (from prepare). */
  input: string;
  /** Output folder; each ratio gets a sub-folder named like `1-10`. */
  outDir: string;
  /** signal:background ratios, e.g. [[1, 1], [1, 10]]. Positive integers. */
  ratios: Array<[number, number]>;
  /** Validation set size (events) per ratio, or one size for all. */
  valSizes: number[];
  /** Test set size (events) per ratio, or one size for all; default: the validation sizes. */
  testSizes?: number[];
  /** Shuffle seed; the same seed and input give byte-identical outputs. */
  seed: number;
  /** Training set sizes (events) per ratio, or one for all; 0 = none for that ratio. Default: share what remains. */
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
  /** sha256 hex of the set's event ids sorted numerically, joined by "\n" (idsSha256). */
  idsSha256: string;
}

export interface SplitSet {
  ratio: [number, number];
  /** Folder name, e.g. "1-10". */
  name: string;
  dir: string;
  train: SplitPart;
  val: SplitPart;
  test: SplitPart;
}

export interface SplitSummary {
  input: string;
  outDir: string;
  seed: number;
  /** Labelled records available in the input. */
  available: { signal: number; background: number };
  /** Events in the test and validation sets of all ratios together (never trained on). */
  heldOut: { signal: number; background: number };
  /** Distinct events in all files, checked by re-reading them (no event in two sets). */
  verifiedEvents: number;
  sets: SplitSet[];
  /** Sets smaller than asked for (also printed to stderr as they happen). */
  warnings: string[];
  /** Sizes rounded down to whole units (shown under the counts). */
  notes: string[];
}

const PROGRESS_EVERY = 100_000;

/** Where records' lines sit in the input (parallel arrays). */
interface Lines {
  offsets: number[];
  bytes: number[];
}

/** The lines of one class, with each record's id. */
interface ClassLines extends Lines {
  ids: number[];
}

export function split(opts: SplitOptions): SplitSummary {
  const { ratios, seed } = opts;
  if (ratios.length === 0) throw new Error("split: no ratios given");
  for (const [s, b] of ratios) {
    if (!(Number.isInteger(s) && Number.isInteger(b) && s > 0 && b > 0)) {
      throw new Error(`split: ratio ${s}:${b} must be two positive integers`);
    }
  }
  const names = ratios.map(([s, b]) => ratioName(s, b));
  if (new Set(names).size !== names.length) throw new Error(`split: a ratio is given twice (${names.join(", ")})`);
  const valSizes = perRatio(opts.valSizes, ratios.length, "validation sizes");
  const testSizes = perRatio(opts.testSizes ?? opts.valSizes, ratios.length, "test sizes");
  const trainSizes = opts.trainSizes ? perRatio(opts.trainSizes, ratios.length, "training sizes") : undefined;
  const warnings: string[] = [];
  const notes: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    (opts.warn ?? ((x: string) => process.stderr.write(`warning: ${x}\n`)))(m);
  };

  const { sig, bkg } = readLabelled(opts.input, opts.progress === true);
  const S = sig.offsets.length;
  const B = bkg.offsets.length;
  const rng = new Rng(seed);
  const sigOrder = rng.shuffle(range(S));
  const bkgOrder = rng.shuffle(range(B));
  const sigOf = (k: number[]): number => k.reduce((a, x, i) => a + x * ratios[i][0], 0);
  const bkgOf = (k: number[]): number => k.reduce((a, x, i) => a + x * ratios[i][1], 0);

  // Test and validation units, shrunk together when they would take more than their budget.
  const units = (sizes: number[], what: string): number[] =>
    sizes.map((size, i) => {
      const u = ratios[i][0] + ratios[i][1];
      const k = Math.floor(size / u);
      if (size % u !== 0) notes.push(`${names[i]}: ${what} size ${size} is not a multiple of ${u}; using ${k * u} (${k * ratios[i][0]} signal + ${k * ratios[i][1]} background)`);
      return k;
    });
  let testUnits = units(testSizes, "test");
  let valUnits = units(valSizes, "validation");
  const wantsTraining = trainSizes === undefined || trainSizes.some((x) => x > 0);
  const budgetS = wantsTraining ? Math.floor(S / 2) : S;
  const budgetB = wantsTraining ? Math.floor(B / 2) : B;
  const needS = sigOf(testUnits) + sigOf(valUnits);
  const needB = bkgOf(testUnits) + bkgOf(valUnits);
  if (needS > budgetS || needB > budgetB) {
    const f = Math.min(needS > 0 ? budgetS / needS : 1, needB > 0 ? budgetB / needB : 1);
    const shrink = (k: number[], what: string): number[] =>
      k.map((x, i) => {
        const y = Math.floor(x * f);
        const u = ratios[i][0] + ratios[i][1];
        if (y < x) warn(`${names[i]}: only ${S} signal and ${B} background records; ${what} set reduced from ${x * u} to ${y * u} events (test and validation sets take at most ${wantsTraining ? "half of each class" : "all records"})`);
        return y;
      });
    testUnits = shrink(testUnits, "test");
    valUnits = shrink(valUnits, "validation");
  }
  const heldS = sigOf(testUnits) + sigOf(valUnits);
  const heldB = bkgOf(testUnits) + bkgOf(valUnits);
  const trainUnits = trainingUnits(S - heldS, B - heldB, ratios, names, trainSizes, warn);

  // Consecutive blocks of each shuffled class: tests, then validations, then trainings.
  let atS = 0;
  let atB = 0;
  const take = (k: number, [s, b]: [number, number]): { sIdx: number[]; bIdx: number[] } => {
    const block = { sIdx: sigOrder.slice(atS, atS + k * s), bIdx: bkgOrder.slice(atB, atB + k * b) };
    atS += k * s;
    atB += k * b;
    return block;
  };
  const blocks = {
    test: ratios.map((r, i) => take(testUnits[i], r)),
    val: ratios.map((r, i) => take(valUnits[i], r)),
    train: ratios.map((r, i) => take(trainUnits[i], r)),
  };

  const sets: SplitSet[] = [];
  const fd = fs.openSync(opts.input, "r");
  try {
    ratios.forEach(([s, b], i) => {
      const dir = path.join(opts.outDir, names[i]);
      const parts = {} as Record<(typeof SPLIT_PARTS)[number], SplitPart>;
      writeDirAtomic(dir, (tmp) => {
        for (const part of SPLIT_PARTS) {
          const { sIdx, bIdx } = blocks[part][i];
          copyLines(fd, pick(sig, sIdx, bkg, bIdx, rng), path.join(tmp, `${part}.jsonl`));
          parts[part] = {
            path: path.join(dir, `${part}.jsonl`),
            signal: sIdx.length,
            background: bIdx.length,
            total: sIdx.length + bIdx.length,
            idsSha256: idsSha256([...sIdx.map((j) => sig.ids[j]), ...bIdx.map((j) => bkg.ids[j])]),
          };
        }
      });
      sets.push({ ratio: [s, b], name: names[i], dir, ...parts });
    });
  } finally {
    fs.closeSync(fd);
  }
  const summary: SplitSummary = {
    input: opts.input,
    outDir: opts.outDir,
    seed,
    available: { signal: S, background: B },
    heldOut: { signal: heldS, background: heldB },
    verifiedEvents: 0,
    sets,
    warnings,
    notes,
  };
  // Re-read what was written: throws if any event sits in two sets or a count or hash is off.
  summary.verifiedEvents = verifySplit(summary);
  writeFileAtomic(path.join(opts.outDir, "split.json"), JSON.stringify(summary, null, 2) + "\n");
  return summary;
}

/** Training units per ratio from what the test and validation sets leave (see the file comment). */
function trainingUnits(
  restS: number,
  restB: number,
  ratios: Array<[number, number]>,
  names: string[],
  trainSizes: number[] | undefined,
  warn: (m: string) => void,
): number[] {
  const n = ratios.length;
  const k = new Array<number>(n).fill(0);
  if (trainSizes) {
    ratios.forEach(([s, b], i) => {
      const want = Math.floor(trainSizes[i] / (s + b));
      k[i] = Math.min(want, Math.floor(restS / s), Math.floor(restB / b));
      if (k[i] < want) warn(`${names[i]}: not enough records for a training set of ${trainSizes[i]}; using ${k[i] * (s + b)} (${k[i] * s} signal + ${k[i] * b} background)`);
      restS -= k[i] * s;
      restB -= k[i] * b;
    });
    return k;
  }
  // Equal signal shares; background water-filled from the smallest need up.
  const bySignal = ratios.map(([s]) => Math.floor(Math.floor(restS / n) / s));
  const order = range(n).sort((x, y) => bySignal[x] * ratios[x][1] - bySignal[y] * ratios[y][1]);
  let left = n;
  for (const i of order) {
    const b = ratios[i][1];
    k[i] = Math.min(bySignal[i], Math.floor(Math.floor(restB / left) / b));
    restB -= k[i] * b;
    left--;
    if (k[i] === 0) warn(`${names[i]}: the training set is empty (${restS} signal left after the test and validation sets, shared by ${n} ratios)`);
  }
  return k;
}

/** Where each labelled record's line sits in the input, by class, with its id. */
function readLabelled(input: string, progressOn: boolean): { sig: ClassLines; bkg: ClassLines } {
  const sig: ClassLines = { offsets: [], bytes: [], ids: [] };
  const bkg: ClassLines = { offsets: [], bytes: [], ids: [] };
  const lineOf = new Map<number, number>();
  const progress = progressOn ? new Progress({ label: "split: reading", unit: "records" }) : undefined;
  let nRead = 0;
  for (const l of jsonlLines(input)) {
    if (++nRead % PROGRESS_EVERY === 0) progress?.tick(PROGRESS_EVERY);
    const rec = parseRecordLine(l.text, { file: input, line: l.line });
    if (rec.type === "unknown") {
      throw new Error(`${input}:${l.line}: type is "unknown": split needs labelled records (prepare a labelled file, or give --masterkey)`);
    }
    const first = lineOf.get(rec.id);
    if (first !== undefined) throw new Error(`${input}:${l.line}: id ${rec.id} was already used on line ${first}: split needs unique event ids`);
    lineOf.set(rec.id, l.line);
    const into = rec.type === "signal" ? sig : bkg;
    into.offsets.push(l.offset);
    into.bytes.push(l.bytes);
    into.ids.push(rec.id);
  }
  if (progress && nRead >= PROGRESS_EVERY) {
    progress.tick(nRead % PROGRESS_EVERY);
    progress.finish();
  }
  return { sig, bkg };
}

/** "1-10" for 1:10. */
export function ratioName(s: number, b: number): string {
  return `${s}-${b}`;
}

/** The counts as a small table, for the CLI and the demo. */
export function formatSplitSummary(sum: SplitSummary): string {
  const rows = [
    `input ${sum.input}: ${sum.available.signal} signal, ${sum.available.background} background; seed ${sum.seed}`,
    `test + validation (never trained on): ${sum.heldOut.signal} signal, ${sum.heldOut.background} background; ${sum.verifiedEvents} events checked in no two sets`,
    `${"set".padEnd(8)} ${"part".padEnd(6)} ${"signal".padStart(8)} ${"backgr.".padStart(9)} ${"total".padStart(9)}  file`,
  ];
  for (const st of sum.sets) {
    for (const [part, p] of [["train", st.train], ["val", st.val], ["test", st.test]] as const) {
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
