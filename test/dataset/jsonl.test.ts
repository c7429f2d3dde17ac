import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EventRecord } from "../../lib/jets/record";
import { jsonlLines, readAllRecords, readRecords, writeRecords } from "../../lib/dataset";
import { jsonl, makeRecord } from "./records";

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-jsonl-"));
}

test("write then read is bit-exact for awkward doubles", () => {
  const dir = tmpDir();
  const a = makeRecord(0, "signal");
  a.jets[0].P_T = 0.1 + 0.2;
  a.jets[0].eta = -1e-300;
  a.jets[0].tau3 = 5e-324;
  a.jets[1].E = 1.7976931348623157e308;
  a.jets[1].phi = -Math.PI;
  a.M_jj = 3541.123456789012;
  const b: EventRecord = { id: 1, type: "unknown", n_particles: 2, n_jets: 0, jets: [] };
  const file = path.join(dir, "r.jsonl");
  assert.equal(writeRecords(file, [a, b]), 2);
  const back = readAllRecords(file);
  assert.deepEqual(back, [a, b]);
  assert.equal(back[0].jets[0].P_T, 0.30000000000000004);
  assert.equal(back[0].jets[0].tau3, 5e-324);
  // One record per line, newline-terminated.
  assert.equal(fs.readFileSync(file, "utf8").split("\n").length, 3);
  fs.rmSync(dir, { recursive: true });
});

test("reading reports file and line of a bad record or bad JSON", () => {
  const dir = tmpDir();
  const file = path.join(dir, "bad.jsonl");
  const bad = makeRecord(2) as any;
  bad.jets[1].m = -4;
  fs.writeFileSync(file, jsonl([makeRecord(0), makeRecord(1), bad]));
  const it = readRecords(file);
  assert.equal(it.next().value.id, 0);
  assert.equal(it.next().value.id, 1);
  assert.throws(() => it.next(), { message: `${file}:3: jets[1].m must be >= 0 (got -4)` });

  fs.writeFileSync(file, JSON.stringify(makeRecord(0)) + "\n\n" + '{"id": 1, "type": \n');
  assert.throws(() => readAllRecords(file), (e: Error) => e.message.startsWith(`${file}:3: record is not valid JSON`));
  assert.throws(() => readAllRecords(path.join(dir, "missing.jsonl")), /missing\.jsonl: cannot open \(ENOENT\)/);
  fs.rmSync(dir, { recursive: true });
});

test("lines: blank lines skipped but counted, CRLF, no final newline, lines across read blocks", () => {
  const dir = tmpDir();
  const file = path.join(dir, "lines.jsonl");
  fs.writeFileSync(file, "a\r\n\n  \nbé\nc");
  const lines = [...jsonlLines(file)];
  assert.deepEqual(lines, [
    { text: "a", line: 1, offset: 0, bytes: 1 },
    { text: "bé", line: 4, offset: 7, bytes: 3 },
    { text: "c", line: 5, offset: 11, bytes: 1 },
  ]);
  // > 4 MiB so that lines straddle the reader's block boundary; offsets must still point at them.
  const recs = Array.from({ length: 12000 }, (_, i) => makeRecord(i, i % 3 ? "background" : "signal"));
  const text = jsonl(recs);
  assert.ok(Buffer.byteLength(text) > 1 << 22);
  fs.writeFileSync(file, text);
  const raw = fs.readFileSync(file);
  let n = 0;
  for (const l of jsonlLines(file)) {
    assert.equal(raw.toString("utf8", l.offset, l.offset + l.bytes), l.text);
    assert.equal(l.line, n + 1);
    n++;
  }
  assert.equal(n, 12000);
  assert.deepEqual(readAllRecords(file), recs);
  fs.rmSync(dir, { recursive: true });
});

test("a failed write leaves the previous file intact and no temporary files", () => {
  const dir = tmpDir();
  const file = path.join(dir, "out.jsonl");
  writeRecords(file, [makeRecord(10), makeRecord(11)]);
  const before = fs.readFileSync(file, "utf8");

  const bad = makeRecord(2) as any;
  bad.type = "maybe";
  assert.throws(() => writeRecords(file, [makeRecord(0), makeRecord(1), bad, makeRecord(3)]), {
    message: `${file}:3: type must be one of "signal", "background", "unknown" (got "maybe")`,
  });
  assert.equal(fs.readFileSync(file, "utf8"), before);
  assert.deepEqual(fs.readdirSync(dir), ["out.jsonl"]);

  // A source that fails mid-way (after enough records to have flushed to disk).
  function* failing(): Generator<EventRecord> {
    for (let i = 0; i < 5000; i++) yield makeRecord(i);
    throw new Error("source broke");
  }
  assert.throws(() => writeRecords(file, failing()), /source broke/);
  assert.equal(fs.readFileSync(file, "utf8"), before);
  assert.deepEqual(fs.readdirSync(dir), ["out.jsonl"]);

  // A new file that fails is never created.
  const fresh = path.join(dir, "sub", "new.jsonl");
  assert.throws(() => writeRecords(fresh, [bad]));
  assert.equal(fs.existsSync(fresh), false);
  assert.deepEqual(fs.readdirSync(path.join(dir, "sub")), []);
  fs.rmSync(dir, { recursive: true });
});
