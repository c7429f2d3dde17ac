import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { readAllRecords, readFeatureTable, split, SplitRecord, SplitSummary, verifySplit, writeRecords } from "../../lib/dataset";
import { sharedFile, skipUnlessShared } from "../support/shared";
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

type Part = "train" | "val" | "test";
const PARTS: Part[] = ["train", "val", "test"];

/** sha256 hex of ids sorted numerically, joined by "\n": computed here, independently of split.ts. */
function sha(ids: number[]): string {
  return createHash("sha256").update([...ids].sort((a, b) => a - b).join("\n")).digest("hex");
}

/** Reads every output file back and checks counts, ratio, hash and verbatim copy; returns ids per "name/part". */
function check(sum: SplitSummary, inputFile: string): Map<string, number[]> {
  const byId = new Map(readAllRecords(inputFile).map((r) => [r.id, JSON.stringify(r)]));
  const out = new Map<string, number[]>();
  const json = JSON.parse(fs.readFileSync(path.join(sum.outDir, "split.json"), "utf8")) as SplitSummary;
  for (const st of sum.sets) {
    const rec = json.sets.find((x) => x.name === st.name)!;
    for (const part of PARTS) {
      const p = st[part];
      const recs = readAllRecords(p.path);
      const nSig = recs.filter((r) => r.type === "signal").length;
      assert.equal(recs.length, p.total, `${p.path}: total`);
      assert.equal(nSig, p.signal, `${p.path}: signal`);
      assert.equal(recs.length - nSig, p.background, `${p.path}: background`);
      // Exact ratio s:b.
      assert.equal(nSig * st.ratio[1], (recs.length - nSig) * st.ratio[0], `${p.path}: ratio ${st.ratio}`);
      const ids = recs.map((r) => r.id);
      // Copied verbatim from the input.
      for (const r of recs) assert.equal(JSON.stringify(r), byId.get(r.id));
      assert.equal(p.idsSha256, sha(ids), `${p.path}: idsSha256`);
      assert.deepEqual(rec[part], p, `split.json records ${st.name}/${part}`);
      out.set(`${st.name}/${part}`, ids);
    }
  }
  return out;
}

/** Fails if any id is in two files, or twice in one. */
function assertDisjoint(files: Map<string, number[]>): void {
  const where = new Map<number, string>();
  for (const [name, ids] of files) {
    for (const id of ids) {
      assert.ok(!where.has(id), `event ${id} is in ${where.get(id)} and in ${name}`);
      where.set(id, name);
    }
  }
}

test("train, val and test of every ratio are pairwise disjoint, with exact ratios and sizes", () => {
  const dir = tmpDir();
  const file = input(dir, 600, 5400);
  const warnings: string[] = [];
  const sum = split({
    input: file,
    outDir: path.join(dir, "splits"),
    ratios: [[1, 1], [1, 10], [2, 3]],
    valSizes: [100, 220, 50],
    testSizes: [200, 330, 100],
    seed: 7,
    warn: (m) => warnings.push(m),
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(sum.notes, []);
  assert.deepEqual(sum.sets.map((s) => s.name), ["1-1", "1-10", "2-3"]);
  const counts = (part: Part) => sum.sets.map((s) => [s[part].signal, s[part].background]);
  assert.deepEqual(counts("test"), [[100, 100], [30, 300], [40, 60]]);
  assert.deepEqual(counts("val"), [[50, 50], [20, 200], [20, 30]]);
  // Held out: 260 signal, 740 background. Left for training: 340 signal, 4660 background.
  assert.deepEqual(sum.heldOut, { signal: 260, background: 740 });
  // Equal signal shares floor(340/3) = 113 (2:3: 56 units); background water-filled:
  // 1:1 needs 113, 2:3 168, 1:10 1130, all within their shares.
  assert.deepEqual(counts("train"), [[113, 113], [113, 1130], [112, 168]]);
  const files = check(sum, file);
  assert.equal(files.size, 9);
  assertDisjoint(files);
  assert.equal(sum.verifiedEvents, [...files.values()].flat().length);
  assert.equal(sum.verifiedEvents, 260 + 740 + 338 + 1411);
  // The files are shuffled (not in input order, classes mixed).
  const t = files.get("1-1/train")!;
  assert.notDeepEqual(t, [...t].sort((a, b) => a - b));
  // The same split re-checked from its folder.
  assert.equal(verifySplit(path.join(dir, "splits")), sum.verifiedEvents);
  fs.rmSync(dir, { recursive: true });
});

test("a leaking split is detected: a shared id across ratios, a repeated id, a wrong hash or count", () => {
  const dir = tmpDir();
  // A hand-made split whose records (counts, hashes) are all right, but event 5 is in two sets.
  const files: Record<string, number[]> = { "1-1/train": [1, 2, 3, 4], "1-1/val": [5, 6], "1-1/test": [7, 8], "1-10/train": [], "1-10/val": [], "1-10/test": [5, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] };
  const sets = ["1-1", "1-10"].map((name) => {
    const set: Record<string, unknown> = { name };
    for (const part of PARTS) {
      const ids = files[`${name}/${part}`];
      const p = path.join(dir, name, `${part}.jsonl`);
      // Signal are the first id of the 1:10 test and half of each 1:1 part.
      const recs = ids.map((id, i) => makeRecord(id, (name === "1-1" ? i % 2 === 0 : i === 0) ? "signal" : "background"));
      writeRecords(p, recs);
      const signal = recs.filter((r) => r.type === "signal").length;
      set[part] = { path: p, signal, background: ids.length - signal, total: ids.length, idsSha256: sha(ids) };
    }
    return set;
  });
  const rec = { outDir: dir, sets } as unknown as SplitRecord;
  assert.throws(() => verifySplit(rec), /^Error: split leaks: event id 5 is in 1-1\/val and in 1-10\/test \(.*test\.jsonl:1\)$/);
  fs.writeFileSync(path.join(dir, "split.json"), JSON.stringify(rec));
  assert.throws(() => verifySplit(dir), /split leaks: event id 5 is in 1-1\/val and in 1-10\/test/);

  // A real split, then one line of a 1:1 training file appended to the 1:10 test file.
  const file = input(dir, 100, 1000);
  const out = path.join(dir, "real");
  split({ input: file, outDir: out, ratios: [[1, 1], [1, 10]], valSizes: [20, 110], seed: 2, warn: () => undefined });
  assert.ok(verifySplit(out) > 0);
  const trainLine = fs.readFileSync(path.join(out, "1-1", "train.jsonl"), "utf8").split("\n")[0];
  const testFile = path.join(out, "1-10", "test.jsonl");
  const original = fs.readFileSync(testFile, "utf8");
  fs.appendFileSync(testFile, trainLine + "\n");
  const id = JSON.parse(trainLine).id;
  assert.throws(() => verifySplit(out), new RegExp(`split leaks: event id ${id} is in 1-1/train and in 1-10/test`));
  // The same id twice in one file.
  const valFile = path.join(out, "1-1", "val.jsonl");
  fs.writeFileSync(testFile, original);
  const v = fs.readFileSync(valFile, "utf8");
  fs.writeFileSync(valFile, v + v.split("\n")[0] + "\n");
  assert.throws(() => verifySplit(out), /split leaks: event id \d+ is in 1-1\/val and in 1-1\/val/);
  fs.writeFileSync(valFile, v);
  assert.ok(verifySplit(out) > 0);
  // A record whose hash or count disagrees with its file.
  const json = JSON.parse(fs.readFileSync(path.join(out, "split.json"), "utf8"));
  json.sets[1].test.idsSha256 = sha([1, 2, 3]);
  fs.writeFileSync(path.join(out, "split.json"), JSON.stringify(json));
  assert.throws(() => verifySplit(out), /1-10\/test\.jsonl: the ids hash to [0-9a-f]{64}, split\.json says/);
  json.sets[1].test.signal += 1;
  fs.writeFileSync(path.join(out, "split.json"), JSON.stringify(json));
  assert.throws(() => verifySplit(out), /1-10\/test\.jsonl: 10 signal events, split\.json says 11/);
  fs.rmSync(dir, { recursive: true });
});

test("same seed gives identical files; another seed gives others", () => {
  const dir = tmpDir();
  const file = input(dir, 100, 900);
  const base = { input: file, ratios: [[1, 1], [1, 4]] as Array<[number, number]>, valSizes: [20, 25], warn: () => undefined };
  split({ ...base, outDir: path.join(dir, "a"), seed: 3 });
  split({ ...base, outDir: path.join(dir, "b"), seed: 3 });
  split({ ...base, outDir: path.join(dir, "c"), seed: 4 });
  for (const r of ["1-1", "1-4"]) {
    for (const part of PARTS) {
      const f = `${r}/${part}.jsonl`;
      const a = fs.readFileSync(path.join(dir, "a", f));
      assert.ok(a.equals(fs.readFileSync(path.join(dir, "b", f))), f);
      assert.ok(!a.equals(fs.readFileSync(path.join(dir, "c", f))), f);
    }
  }
  // Test sets depend only on the seed, ratios and test sizes (when nothing had to shrink):
  // other validation and training sizes keep them.
  split({ ...base, valSizes: [10, 50], trainSizes: [20, 50], outDir: path.join(dir, "d"), seed: 3, testSizes: [20, 25] });
  for (const r of ["1-1", "1-4"]) {
    const ids = (d: string) => readAllRecords(path.join(dir, d, r, "test.jsonl")).map((x) => x.id).sort((x, y) => x - y);
    assert.deepEqual(ids("d"), ids("a"), `${r} test set`);
  }
  fs.rmSync(dir, { recursive: true });
});

test("too few signal events: test and validation shrink together, training shorts are warned, ratios stay exact", () => {
  const dir = tmpDir();
  const file = input(dir, 30, 970);
  const warnings: string[] = [];
  const sum = split({
    input: file,
    outDir: path.join(dir, "s"),
    ratios: [[1, 1], [1, 10]],
    valSizes: [100, 1000],
    trainSizes: [20, 110],
    seed: 1,
    warn: (m) => warnings.push(m),
  });
  // Asked (test = val sizes): 50+90+50+90 = 280 signal; half of the 30 is allowed: factor 15/280,
  // so 1:1 keeps floor(50*15/280) = 2 units, 1:10 floor(90*15/280) = 4 units, in test and in val.
  assert.deepEqual(sum.sets.map((s) => [s.test.signal, s.test.background, s.val.signal, s.val.background]), [[2, 2, 2, 2], [4, 40, 4, 40]]);
  assert.deepEqual(sum.heldOut, { signal: 12, background: 84 });
  // 18 signal left: 1:1 takes its 10 units, 1:10 asked for 10 and gets the 8 signal left.
  assert.deepEqual(sum.sets.map((s) => [s.train.signal, s.train.background]), [[10, 10], [8, 80]]);
  assert.equal(warnings.length, 5, warnings.join("\n"));
  assert.match(warnings[0], /^1-1: only 30 signal and 970 background records; test set reduced from 100 to 4 events \(test and validation sets take at most half of each class\)$/);
  assert.match(warnings.join("\n"), /1-10: only 30 signal and 970 background records; validation set reduced from 990 to 44 events/);
  assert.match(warnings[4], /^1-10: not enough records for a training set of 110; using 88 \(8 signal \+ 80 background\)$/);
  assert.deepEqual(sum.notes, [
    "1-10: test size 1000 is not a multiple of 11; using 990 (90 signal + 900 background)",
    "1-10: validation size 1000 is not a multiple of 11; using 990 (90 signal + 900 background)",
  ]);
  assert.deepEqual(sum.warnings, warnings);
  assertDisjoint(check(sum, file));
  fs.rmSync(dir, { recursive: true });
});

test("training size 0: no training set (empty train.jsonl), and test sets may use more than half", () => {
  const dir = tmpDir();
  const file = input(dir, 40, 400);
  const warnings: string[] = [];
  const sum = split({ input: file, outDir: path.join(dir, "z"), ratios: [[1, 1], [1, 10]], valSizes: [10, 0], testSizes: [20, 220], trainSizes: [0], seed: 9, warn: (m) => warnings.push(m) });
  assert.deepEqual(warnings, []);
  // 10 + 20 + 5 = 35 of 40 signal and 10 + 200 + 5 = 215 of 400 background: more than half is
  // allowed when no training set is asked for.
  assert.deepEqual(sum.sets.map((s) => [s.train.total, s.val.total, s.test.total]), [[0, 10, 20], [0, 0, 220]]);
  assert.deepEqual(sum.heldOut, { signal: 35, background: 215 });
  for (const s of sum.sets) {
    assert.equal(fs.readFileSync(s.train.path, "utf8"), "");
    assert.equal(s.train.idsSha256, createHash("sha256").update("").digest("hex"));
  }
  assertDisjoint(check(sum, file));
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
  assert.throws(() => split({ input: file, outDir: dir, ratios: [[1, 1]], valSizes: [2], testSizes: [1, 2], seed: 1 }), /2 test sizes for 1 ratios/);
  assert.throws(() => split({ input: file, outDir: dir, ratios: [[1, 1], [1, 1]], valSizes: [2], seed: 1 }), /a ratio is given twice/);
  const dup = path.join(dir, "dup.jsonl");
  writeRecords(dup, [makeRecord(0, "signal"), makeRecord(1, "background"), makeRecord(0, "background")]);
  assert.throws(() => split({ input: dup, outDir: path.join(dir, "o"), ratios: [[1, 1]], valSizes: [2], seed: 1 }), {
    message: `${dup}:3: id 0 was already used on line 1: split needs unique event ids`,
  });

  const good = input(dir, 20, 80);
  const out = path.join(dir, "again");
  fs.mkdirSync(path.join(out, "1-1"), { recursive: true });
  fs.writeFileSync(path.join(out, "1-1", "stale.txt"), "old");
  fs.writeFileSync(path.join(out, "keep.txt"), "mine");
  split({ input: good, outDir: out, ratios: [[1, 1]], valSizes: [10], seed: 1 });
  assert.deepEqual(fs.readdirSync(path.join(out, "1-1")).sort(), ["test.jsonl", "train.jsonl", "val.jsonl"]);
  assert.deepEqual(fs.readdirSync(out).sort(), ["1-1", "keep.txt", "split.json"]);
  fs.rmSync(dir, { recursive: true });
});

const RD = "fixtures/lhco/rd_jet_features.csv.gz";

test("the benchmark protocol on the real R&D jet features: exact sizes, nothing shared", { skip: skipUnlessShared(RD) }, () => {
  const dir = tmpDir();
  const file = path.join(dir, "rd.jsonl");
  writeRecords(file, readFeatureTable(sharedFile(RD)!));
  const warnings: string[] = [];
  const sum = split({
    input: file,
    outDir: path.join(dir, "splits"),
    ratios: [[1, 1], [1, 10]],
    trainSizes: [3000, 0],
    valSizes: [1000, 0],
    testSizes: [2000, 5500],
    seed: 42,
    warn: (m) => warnings.push(m),
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(sum.available, { signal: 5059, background: 70941 });
  const sizes = sum.sets.map((s) => [s.train.signal, s.train.background, s.val.signal, s.val.background, s.test.signal, s.test.background]);
  assert.deepEqual(sizes, [[1500, 1500, 500, 500, 1000, 1000], [0, 0, 0, 0, 500, 5000]]);
  const files = check(sum, file);
  assertDisjoint(files);
  assert.equal(sum.verifiedEvents, 3000 + 1000 + 2000 + 5500);
  fs.rmSync(dir, { recursive: true });
});
