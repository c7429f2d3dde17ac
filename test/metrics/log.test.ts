import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendRunLog, evaluate, readRunLog, readScores } from "../../lib/metrics";
import type { EvalLogEntry } from "../../lib/metrics";

test("run log round trip: unsupported metrics come back NaN with their reason; old logs' null rejection is +Infinity", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-log-"));
  try {
    appendRunLog(dir, { kind: "train", run: "r", step: 1, epoch: 0, loss: 2.5, lr: 1e-4, time: "2026-11-22T00:00:00Z" });
    const metrics = evaluate([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1], { bootstrap: 20, seed: 2 });
    assert.ok(Number.isNaN(metrics.rejection30));
    const e: EvalLogEntry = { kind: "eval", run: "r", step: 1, epoch: 0, checkpoint: "checkpoint-1", dataset: "1:1 @4", data: "x.jsonl", numericInput: "off", model: "m", metrics, time: "2026-11-22T00:00:00Z" };
    appendRunLog(dir, e);
    assert.match(fs.readFileSync(path.join(dir, "log.jsonl"), "utf8"), /"rejection30":null/);
    const back = readRunLog(dir);
    assert.equal(back.length, 2);
    assert.equal(back[0].kind, "train");
    const m = (back[1] as EvalLogEntry).metrics;
    assert.ok(Number.isNaN(m.rejection30));
    assert.match(m.unsupported!.rejection30, /background events pass the cut/);
    assert.equal(m.intervalLevel, 0.95);
    assert.deepEqual(readRunLog(path.join(dir, "log.jsonl")), back);
    // A line written before issue 11 (no "unsupported", 68% intervals with an infinite end).
    const old = { ...e, metrics: { n: 4, accuracy: 1, threshold: 0.5, auc: 1, rejection30: null, rejection50: null, maxSic: null, maxSicThreshold: null,
      signal: { precision: 1, recall: 1, f1: 1, support: 2 }, background: { precision: 1, recall: 1, f1: 1, support: 2 },
      confusion: { tp: 2, fp: 0, tn: 2, fn: 0 }, intervals: { auc: [1, 1], rejection30: [5, null] } } };
    fs.appendFileSync(path.join(dir, "log.jsonl"), JSON.stringify(old) + "\n");
    const o = (readRunLog(dir)[2] as EvalLogEntry).metrics;
    assert.equal(o.rejection30, Infinity);
    assert.ok(Number.isNaN(o.maxSic));
    assert.deepEqual(o.intervals!.rejection30, [5, Infinity]);
    assert.equal(o.balancedAccuracy, undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("run log round trip keeps NaN rejections of a one-class sample NaN (not Infinity)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-log-"));
  try {
    const metrics = evaluate([0, 0, 0], [0.9, 0.2, 0.1]);
    assert.ok(Number.isNaN(metrics.rejection30));
    const e: EvalLogEntry = { kind: "eval", run: "r", step: 1, epoch: 0, checkpoint: "checkpoint-1", dataset: "0:1 @3", data: "x.jsonl", numericInput: "off", model: "m", metrics, time: "2026-11-22T00:00:00Z" };
    appendRunLog(dir, e);
    const back = (readRunLog(dir)[0] as EvalLogEntry).metrics;
    assert.ok(Number.isNaN(back.rejection30), String(back.rejection30));
    assert.ok(Number.isNaN(back.rejection50), String(back.rejection50));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bad log lines are reported by file and line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-log-"));
  const file = path.join(dir, "log.jsonl");
  try {
    fs.writeFileSync(file, '{"kind":"train","run":"r","step":1,"epoch":0,"loss":1,"lr":1,"time":""}\n\n{"kind":"eval"}\n');
    assert.throws(() => readRunLog(dir), /log\.jsonl:3: eval entry field "checkpoint"/);
    fs.writeFileSync(file, '{"kind":"train"\n');
    assert.throws(() => readRunLog(dir), /log\.jsonl:1: not valid JSON/);
    fs.writeFileSync(file, '{"kind":"other"}\n');
    assert.throws(() => readRunLog(dir), /field "kind" is "other"/);
    assert.throws(() => readRunLog(path.join(dir, "nope")), /run log not found/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("scores files give label and score arrays, bad lines named", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-log-"));
  const file = path.join(dir, "scores.jsonl");
  try {
    fs.writeFileSync(file, '{"id":3,"label":1,"score":0.9}\n{"id":7,"label":0,"score":0.2}\n');
    assert.deepEqual(readScores(file), { ids: [3, 7], labels: [1, 0], scores: [0.9, 0.2] });
    fs.writeFileSync(file, '{"id":3,"label":2,"score":0.9}\n');
    assert.throws(() => readScores(file), /scores\.jsonl:1: field "label" is 2/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
