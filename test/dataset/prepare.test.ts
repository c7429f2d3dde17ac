import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Event } from "../../lib/events/event";
import { eventRecord } from "../../lib/jets";
import type { EventRecord } from "../../lib/jets/record";
import { prepare, readAllRecords } from "../../lib/dataset";
import { syntheticEvents, writeDamaged, writeEvents } from "./events";

const N = 150;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-prepare-"));
const events = syntheticEvents(N, 11);
const input = path.join(dir, "events.h5");

/** What prepare must write for these events: eventRecord called in-process, through JSON. */
function expected(evs: Event[], opts?: Parameters<typeof eventRecord>[1]): EventRecord[] {
  return evs.map((e) => JSON.parse(JSON.stringify(eventRecord(e, opts))));
}

test.before(async () => {
  await writeEvents(input, events);
});
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("several workers write the records of every event in input order", async () => {
  const out = path.join(dir, "all.jsonl");
  const r = await prepare({ input, output: out, jobs: 3, progress: false });
  assert.equal(r.events, N);
  assert.ok(r.eventsPerSecond > 0 && r.seconds > 0);
  const got = readAllRecords(out);
  assert.deepEqual(got.map((x) => x.id), events.map((e) => e.id));
  assert.deepEqual(got, expected(events));
  // The labels became types.
  assert.deepEqual(got.map((x) => x.type), events.map((e) => (e.label === 1 ? "signal" : "background")));
  assert.ok(got.some((x) => x.type === "signal") && got.some((x) => x.jets.length === 2));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["all.jsonl", "events.h5"]);
});

test("--start/--stop and jet options are honoured (one worker too)", async () => {
  const out = path.join(dir, "part.jsonl");
  await prepare({ input, output: out, jobs: 1, start: 37, stop: 101, ptmin: 30, R: 0.4, maxJets: 3, progress: false });
  assert.deepEqual(readAllRecords(out), expected(events.slice(37, 101), { ptmin: 30, R: 0.4, maxJets: 3 }));
  // stop past the end is clipped; start = stop gives an empty file.
  await prepare({ input, output: out, jobs: 1, start: 140, stop: 10_000, progress: false });
  assert.deepEqual(readAllRecords(out).map((x) => x.id), [140, 141, 142, 143, 144, 145, 146, 147, 148, 149]);
  await prepare({ input, output: out, jobs: 1, start: 5, stop: 5, progress: false });
  assert.equal(fs.readFileSync(out, "utf8"), "");
  await assert.rejects(prepare({ input, output: out, start: 151, progress: false }), /--start 151 is outside the file's 150 events/);
  fs.rmSync(out);
});

test("a master key labels an unlabelled file", async () => {
  const blind = path.join(dir, "blackbox.h5");
  await writeEvents(blind, events.slice(0, 40), false);
  const out = path.join(dir, "bb.jsonl");
  await prepare({ input: blind, output: out, jobs: 2, progress: false });
  assert.ok(readAllRecords(out).every((x) => x.type === "unknown"));
  const key = path.join(dir, "key.txt");
  fs.writeFileSync(key, events.slice(0, 40).map((e) => `${e.label}\n`).join(""));
  await prepare({ input: blind, output: out, jobs: 2, masterkey: key, progress: false });
  assert.deepEqual(readAllRecords(out), expected(events.slice(0, 40)));
  for (const f of [blind, out, key]) fs.rmSync(f);
});

test("an error in a worker leaves the previous output intact and no temporary files", async () => {
  const damaged = path.join(dir, "damaged.h5");
  await writeDamaged(damaged, events, 120);
  const out = path.join(dir, "keep.jsonl");
  fs.writeFileSync(out, "previous\n");
  await assert.rejects(prepare({ input: damaged, output: out, jobs: 2, progress: false }), /damaged\.h5: row 120: column 0 \(pT of particle 0\): value NaN is not finite/);
  assert.equal(fs.readFileSync(out, "utf8"), "previous\n");
  // Rows before the damage are fine.
  await prepare({ input: damaged, output: out, jobs: 1, stop: 120, progress: false });
  assert.equal(readAllRecords(out).length, 120);
  const fresh = path.join(dir, "never.jsonl");
  await assert.rejects(prepare({ input: damaged, output: fresh, jobs: 3, progress: false }));
  assert.equal(fs.existsSync(fresh), false);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
  fs.rmSync(damaged);
  fs.rmSync(out);
});

test("an aborted run writes nothing", async () => {
  const out = path.join(dir, "aborted.jsonl");
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(prepare({ input, output: out, jobs: 2, progress: false, signal: ac.signal }), /interrupted/);
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
});

test("an error while clustering in a worker names the input and the event, and writes nothing", async () => {
  // R above FastJet's limit (1000): eventRecord throws for the first event a worker clusters.
  const out = path.join(dir, "bad-r.jsonl");
  await assert.rejects(prepare({ input, output: out, jobs: 2, R: 2000, progress: false }), (err: Error) => {
    assert.match(err.message, new RegExp(`^${input.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: event \\d+: `));
    return true;
  });
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);
});
