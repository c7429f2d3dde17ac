/**
 * Kill -9 anywhere: `hepllm prepare`, `split`, `train` and `eval` on tiny inputs, each SIGKILLed at
 * >= 20 seeded random moments (test/crash/harness.ts), rerun to completion; the outputs must be
 * byte-identical to an uninterrupted run and no partial file may ever be visible under its final name.
 * Outputs compared: prepare: the records file; split: the split files + split.json; train: the whole
 * run folder (kept checkpoints' tensors and state, scores files, config, the selected checkpoint
 * (selected.json, its time apart), log.jsonl with timestamps and
 * throughput left out); eval: the scores file and the log entry. Kill moments are uniform between the
 * CLI's start-up time (`hepllm help`, at most half a run) and 0.95 × the uninterrupted run's duration. CRASH_KILLS raises the count.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ChainReport, killChain, listFiles, runHepllm } from "./harness";
import { makeTinyModelDir } from "../serve/tiny-model";
import { initBackend } from "../../lib/llm";

const KILLS = Math.max(20, Number(process.env.CRASH_KILLS ?? 20));
let base: string;
let bootMs = 0;
const table: string[] = [];
const rm = (p: string) => fs.rmSync(p, { recursive: true, force: true });

/** Runs a command uninterrupted in `<base>/ref-<name>` (after `prep`); returns its duration. */
async function reference(name: string, args: string[], prep: (cwd: string) => void = () => undefined): Promise<number> {
  const cwd = path.join(base, `ref-${name}`);
  fs.mkdirSync(path.join(cwd, "out"), { recursive: true });
  prep(cwd);
  const r = await runHepllm(args, { cwd });
  assert.equal(r.code, 0, r.stderr);
  return r.ms;
}

async function chain(name: string, args: string[], seed: number, prep: (cwd: string) => void = () => undefined): Promise<ChainReport> {
  const refMs = await reference(name, args, prep);
  const cwd = path.join(base, `run-${name}`);
  const out = path.join(cwd, "out");
  const rep = await killChain({
    args, cwd, out, ref: path.join(base, `ref-${name}`, "out"), refMs, bootMs, kills: KILLS, seed,
    fresh: () => {
      rm(cwd);
      fs.mkdirSync(out, { recursive: true });
      prep(cwd);
    },
  });
  const leftovers = listFiles(out).temp.length;
  table.push(`| ${name} | ${rep.kills} | ${rep.identical}/${rep.completions} | ${rep.partialSeen.length} | ${leftovers} | ${refMs} |`);
  assert.ok(rep.kills >= 20);
  assert.deepEqual(rep.partialSeen, [], "partial files seen under their final names while running");
  assert.deepEqual(rep.problems, []);
  assert.equal(rep.identical, rep.completions);
  return rep;
}

before(async () => {
  await initBackend(); // for makeTinyModelDir; the children pick theirs the same way
  base = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-kill9-"));
  const inputs = path.join(base, "inputs");
  fs.mkdirSync(inputs);
  const t0 = Date.now();
  const help = await runHepllm(["help"]);
  bootMs = Date.now() - t0;
  assert.equal(help.code, 0);
  const sim = await runHepllm(["simulate", "--events", "120", "--signal-fraction", "0.5", "--seed", "3", "--out", path.join(inputs, "events.h5")]);
  assert.equal(sim.code, 0, sim.stderr);
  const m = makeTinyModelDir(512);
  fs.cpSync(m.modelDir, path.join(inputs, "model"), { recursive: true });
  m.cleanup();
  fs.writeFileSync(path.join(inputs, "train.json"), JSON.stringify({
    run: "r", outDir: "out", model: { kind: "llm", path: "../inputs/model" },
    data: { train: "../inputs/split/1-1/train.jsonl", val: "../inputs/split/1-1/val.jsonl" },
    lora: { r: 2, alpha: 4 }, schedule: { epochs: 1, batchSize: 4, maxSteps: 8, logEverySteps: 1 },
    checkpoint: { everySteps: 2, keep: 2 }, eval: { everySteps: 4, batchSize: 8 }, seed: 1,
  }));
});

after(() => {
  console.log(["| command | kill points | identical after rerun | partial files seen | temp files left | uninterrupted [ms] |", "| --- | ---: | ---: | ---: | ---: | ---: |", ...table].join("\n"));
  if (base) rm(base);
});

const PREPARE = ["prepare", "--in", "../inputs/events.h5", "--out", "out/records.jsonl", "--jobs", "1"];
const SPLIT = ["split", "--in", "../inputs/records.jsonl", "--out", "out/split", "--ratios", "1:1", "--val-size", "24", "--seed", "5"];

test(`prepare: ${KILLS} kills, rerun byte-identical, no partial file`, { timeout: 900_000 }, async () => {
  await chain("prepare", PREPARE, 101);
  fs.copyFileSync(path.join(base, "ref-prepare", "out", "records.jsonl"), path.join(base, "inputs", "records.jsonl"));
});

test(`split: ${KILLS} kills, rerun byte-identical, no partial file`, { timeout: 900_000 }, async () => {
  if (!fs.existsSync(path.join(base, "inputs", "records.jsonl"))) {
    const r = await runHepllm(PREPARE.map((a) => (a === "out/records.jsonl" ? "records.jsonl" : a === "../inputs/events.h5" ? "events.h5" : a)), { cwd: path.join(base, "inputs") });
    assert.equal(r.code, 0, r.stderr);
  }
  await chain("split", SPLIT, 202);
  fs.cpSync(path.join(base, "ref-split", "out", "split"), path.join(base, "inputs", "split"), { recursive: true });
});

test(`train: ${KILLS} kills, rerun byte-identical (checkpoints, scores, log), no partial file`, { timeout: 900_000 }, async () => {
  assert.ok(fs.existsSync(path.join(base, "inputs", "split")), "needs the split test's output");
  await chain("train", ["train", "--config", "../inputs/train.json"], 303);
});

test(`eval: ${KILLS} kills, rerun byte-identical (scores, log), no partial file`, { timeout: 900_000 }, async () => {
  const trained = path.join(base, "ref-train", "out", "r");
  assert.ok(fs.existsSync(trained), "needs the train test's output");
  await chain("eval", ["eval", "--run", "out/r", "--data", "../inputs/split/1-1/val.jsonl"], 404, (cwd) => fs.cpSync(trained, path.join(cwd, "out", "r"), { recursive: true }));
});
