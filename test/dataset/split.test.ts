import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readAllRecords, split, SplitOptions, SplitSummary, writeRecords } from "../../lib/dataset";
import { makeRecord } from "./records";

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-split-"));
}

/** A record file with nSig signal and nBkg background events, ids 0.., classes interleaved. */
function input(dir: string, nSig: number, nBkg: number): string {
  const file = path.join(dir, "records.jsonl");
  const recs = [];
  for (let i = 0; i < nSig + nBkg; i++) {
    // Every (nBkg/nSig + 1)-th event is signal until signals run out.
    const sig = i < nSig * Math.floor((nSig + nBkg) / nSig) && i % Math.floor((nSig + nBkg) / nSig) === 0;
    recs.push(makeRecord(i, sig ? "signal" : "background"));
  }
  writeRecords(file, recs);
  assert.equal(recs.filter((r) => r.type === "signal").length, nSig);
  return file;
}

/** Reads every output file back and checks counts against the summary and the file contents. */
function check(sum: SplitSummary, inputFile: string): { train: Map<string, number[]>; val: Map<string, number[]> } {
  const byId = new Map(readAllRecords(inputFile).map((r) => [r.id, JSON.stringify(r)]));
  const train = new Map<string, number[]>();
  const val = new Map<string, number[]>();
  for (const st of sum.sets) {
    for (const [part, into] of [["train", train], ["val", val]] as const) {
      const p = st[part];
      const recs = readAllRecords(p.path);
      const nSig = recs.filter((r) => r.type === "signal").length;
      assert.equal(recs.length, p.total, `${p.path}: total`);
      assert.equal(nSig, p.signal, `${p.path}: signal`);
      assert.equal(recs.length - nSig, p.background, `${p.path}: background`);
      // Exact ratio s:b.
      assert.equal(nSig * st.ratio[1], (recs.length - nSig) * st.ratio[0], `${p.path}: ratio ${st.ratio}`);
      const ids = recs.map((r) => r.id);
      assert.equal(new Set(ids).size, ids.length, `${p.path}: duplicate events`);
      // Copied verbatim from the input.
      for (const r of recs) assert.equal(JSON.stringify(r), byId.get(r.id));
      into.set(st.name, ids);
    }
  }
  return { train, val };
}

function assertNoLeakage(train: Map<string, number[]>, val: Map<string, number[]>): void {
  const allVal = new Set([...val.values()].flat());
  for (const [name, ids] of train) {
    for (const id of ids) assert.ok(!allVal.has(id), `event ${id} is in ${name}/train.jsonl and in a validation file`);
  }
}

test("sets have exact ratios, requested validation sizes and no leakage across any sets", () => {
  const dir = tmpDir();
  const file = input(dir, 300, 2700);
  const warnings: string[] = [];
  const opts: SplitOptions = {
    input: file,
    outDir: path.join(dir, "splits"),
    ratios: [[1, 1], [1, 10], [2, 3]],
    valSizes: [100, 220, 50],
    seed: 7,
    warn: (m) => warnings.push(m),
  };
  const sum = split(opts);
  assert.deepEqual(warnings, []);
  assert.deepEqual(sum.sets.map((s) => s.name), ["1-1", "1-10", "2-3"]);
  assert.deepEqual(sum.sets.map((s) => [s.val.signal, s.val.background]), [[50, 50], [20, 200], [20, 30]]);
  // The pool is the largest validation need per class: 50 signal, 200 background.
  assert.deepEqual(sum.pool, { signal: 50, background: 200 });
  // Training takes all that remains in whole units: 250 signal; 2500 background.
  assert.deepEqual(sum.sets.map((s) => [s.train.signal, s.train.background]), [[250, 250], [250, 2500], [250, 375]]);
  const { train, val } = check(sum, file);
  assertNoLeakage(train, val);
  assert.ok(fs.existsSync(path.join(dir, "splits", "1-10", "train.jsonl")));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "splits", "split.json"), "utf8")).sets.length, 3);
  // The files are shuffled (not in input order, classes mixed).
  const t = train.get("1-1")!;
  assert.notDeepEqual(t, [...t].sort((a, b) => a - b));
  fs.rmSync(dir, { recursive: true });
});

test("same seed gives identical files; another seed gives others", () => {
  const dir = tmpDir();
  const file = input(dir, 100, 900);
  const base = { input: file, ratios: [[1, 1], [1, 4]] as Array<[number, number]>, valSizes: [40, 50], warn: () => undefined };
  split({ ...base, outDir: path.join(dir, "a"), seed: 3 });
  split({ ...base, outDir: path.join(dir, "b"), seed: 3 });
  split({ ...base, outDir: path.join(dir, "c"), seed: 4 });
  for (const f of ["1-1/train.jsonl", "1-1/val.jsonl", "1-4/train.jsonl", "1-4/val.jsonl"]) {
    const a = fs.readFileSync(path.join(dir, "a", f));
    assert.ok(a.equals(fs.readFileSync(path.join(dir, "b", f))), f);
    assert.ok(!a.equals(fs.readFileSync(path.join(dir, "c", f))), f);
  }
  fs.rmSync(dir, { recursive: true });
});

test("too few signal events: sets shrink, ratios stay exact, warnings say so", () => {
  const dir = tmpDir();
  const file = input(dir, 30, 970);
  const warnings: string[] = [];
  const sum = split({
    input: file,
    outDir: path.join(dir, "s"),
    ratios: [[1, 1], [1, 10]],
    valSizes: [100, 1000],
    trainSizes: [40, 1100],
    seed: 1,
    warn: (m) => warnings.push(m),
  });
  // Validation may take at most half of each class: 15 signal.
  assert.deepEqual(sum.sets.map((s) => [s.val.signal, s.val.background]), [[15, 15], [15, 150]]);
  assert.equal(sum.pool.signal, 15);
  // After the pool only 15 signal remain: 1:1 asked for 20 units, 1:10 for 100; both get 15.
  assert.deepEqual(sum.sets.map((s) => [s.train.signal, s.train.background]), [[15, 15], [15, 150]]);
  assert.equal(warnings.length, 4, warnings.join("\n"));
  assert.match(warnings.join("\n"), /1-1: only 30 signal and 970 background records; validation reduced from 100 to 30 events/);
  assert.deepEqual(sum.notes, ["1-10: validation size 1000 is not a multiple of 11; using 990 (90 signal + 900 background)"]);
  assert.match(warnings.join("\n"), /1-10: not enough records for a training set of 1100; using 165 \(15 signal \+ 150 background\)/);
  assert.deepEqual(sum.warnings, warnings);
  const { train, val } = check(sum, file);
  assertNoLeakage(train, val);
  fs.rmSync(dir, { recursive: true });
});

test("unlabelled records and bad options are refused; outputs are replaced whole", () => {
  const dir = tmpDir();
  const file = path.join(dir, "u.jsonl");
  writeRecords(file, [makeRecord(0, "signal"), makeRecord(1, "unknown")]);
  assert.throws(() => split({ input: file, outDir: path.join(dir, "o"), ratios: [[1, 1]], valSizes: [2], seed: 1 }), {
    message: `${file}:2: type is "unknown": split needs labelled records (prepare a labelled file, or give --masterkey)`,
  });
  assert.equal(fs.existsSync(path.join(dir, "o")), false);
  assert.throws(() => split({ input: file, outDir: dir, ratios: [[0, 1]], valSizes: [2], seed: 1 }), /ratio 0:1/);
  assert.throws(() => split({ input: file, outDir: dir, ratios: [[1, 1], [1, 2]], valSizes: [2, 3, 4], seed: 1 }), /3 validation sizes for 2 ratios/);

  const good = input(dir, 20, 80);
  const out = path.join(dir, "again");
  fs.mkdirSync(path.join(out, "1-1"), { recursive: true });
  fs.writeFileSync(path.join(out, "1-1", "stale.txt"), "old");
  fs.writeFileSync(path.join(out, "keep.txt"), "mine");
  split({ input: good, outDir: out, ratios: [[1, 1]], valSizes: [10], seed: 1 });
  assert.deepEqual(fs.readdirSync(path.join(out, "1-1")).sort(), ["train.jsonl", "val.jsonl"]);
  assert.deepEqual(fs.readdirSync(out).sort(), ["1-1", "keep.txt", "split.json"]);
  fs.rmSync(dir, { recursive: true });
});
