import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readAllRecords } from "../../lib/dataset";
import { openLHCO } from "../../lib/events";
import { DATA_STEPS, DemoStep, runDemo } from "../../lib/demo";

test("the demo simulates (with a background-only sample), prepares and splits into disjoint train/val/test sets, then summarises", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-demo-"));
  const lines: string[] = [];
  const seen: string[] = [];
  // A later step appended to the list sees every earlier hand-over.
  const probe: DemoStep = {
    name: "probe",
    description: "checks the hand-over",
    async run(ctx) {
      seen.push(ctx.artifacts.eventsFile!, ctx.artifacts.recordsFile!, ctx.artifacts.split!.outDir, ...ctx.artifacts.backgroundOnly!);
      return { outputs: {}, summary: "ok" };
    },
  };
  const res = await runDemo({ outDir: out, events: 240, seed: 3, jobs: 2, quick: true, realBackground: "", progress: false, log: (l) => lines.push(l) }, [...DATA_STEPS, probe]);
  assert.deepEqual(res.steps.map((s) => s.name), ["simulate", "prepare", "split", "probe"]);
  assert.deepEqual(seen, [path.join(out, "events.h5"), path.join(out, "records.jsonl"), path.join(out, "splits"), path.join(out, "background-only.jsonl")]);
  const bkg = readAllRecords(path.join(out, "background-only.jsonl"));
  assert.ok(bkg.length > 0 && bkg.every((r) => r.type === "background"), "the background-only sample holds background only");

  const f = await openLHCO(path.join(out, "events.h5"));
  const nSignal = f.read(0, f.info.nEvents).filter((e) => e.label === 1).length;
  assert.equal(f.info.nEvents, 240);
  f.close();
  const recs = readAllRecords(path.join(out, "records.jsonl"));
  assert.deepEqual(recs.map((r) => r.id), Array.from({ length: 240 }, (_, i) => i));
  assert.equal(recs.filter((r) => r.type === "signal").length, nSignal);

  const sets = res.context.artifacts.split!.sets;
  assert.deepEqual(sets.map((s) => s.name), ["1-1", "1-10"]);
  // Every event sits in at most one file of one ratio.
  const owner = new Map<number, string>();
  for (const s of sets) {
    for (const part of ["train", "val", "test"] as const) {
      const recs = readAllRecords(s[part].path);
      if (part !== "train" || s.name === "1-1") assert.ok(recs.length > 0, `${s.name}/${part} is empty`);
      assert.equal(recs.filter((r) => r.type === "signal").length * s.ratio[1], recs.filter((r) => r.type === "background").length * s.ratio[0], `${s.name}/${part} ratio`);
      for (const r of recs) {
        assert.ok(!owner.has(r.id), `event ${r.id} is in ${owner.get(r.id)} and ${s.name}/${part}`);
        owner.set(r.id, `${s.name}/${part}`);
      }
    }
  }
  assert.equal(readAllRecords(sets[1].train.path).length, 0, "the 1:10 set only tests");

  const manifest = JSON.parse(fs.readFileSync(path.join(out, "demo.json"), "utf8"));
  assert.deepEqual(manifest.steps.map((s: { name: string }) => s.name), ["simulate", "prepare", "split", "probe"]);
  assert.equal(manifest.steps[1].outputs.records, path.join(out, "records.jsonl"));
  const text = lines.join("\n");
  assert.match(text, /^\[1\/4\] simulate: /m);
  assert.match(text, /demo finished in /);
  assert.match(text, new RegExp(`simulate\\s+\\S+\\s+240 events \\(${nSignal} signal\\)`));
  assert.match(text, /1-1\s+val\s+\d+\s+\d+/);
  fs.rmSync(out, { recursive: true });
});

test("a failing step is named and stops the demo", async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-demo-"));
  const boom: DemoStep = { name: "boom", description: "fails", run: async () => Promise.reject(new Error("no GPU today")) };
  const never: DemoStep = { name: "never", description: "must not run", run: async () => assert.fail("ran after a failure") };
  await assert.rejects(runDemo({ outDir: out, events: 10, seed: 1, log: () => undefined }, [boom, never]), /demo step boom failed: no GPU today/);
  // Steps that need an earlier step's output say which.
  await assert.rejects(runDemo({ outDir: out, events: 10, seed: 1, log: () => undefined }, [DATA_STEPS[1]]), /step prepare needs the output of step simulate/);
  await assert.rejects(runDemo({ outDir: out, events: 0, seed: 1 }), /events must be a positive integer/);
  fs.rmSync(out, { recursive: true });
});
