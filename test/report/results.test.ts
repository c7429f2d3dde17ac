import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RESULTS_COLUMNS, resultsTable, resultsTableOf, tableMarkdown, writeResultsTable } from "../../lib/report";
import { evaluate } from "../../lib/metrics";
import type { EvalLogEntry, MetricsReport, RunLogEntry } from "../../lib/metrics";
import { main } from "../../lib/cli/main";
import { hasPython, pythonCSV } from "./files";
import { IN_CI } from "../support/shared";

function metrics(acc: number, auc: number): MetricsReport {
  return {
    n: 100, accuracy: acc, threshold: 0.5, auc, rejection30: Infinity, rejection50: 12.5, maxSic: 2.5, maxSicThreshold: 0.9,
    signal: { precision: 0.7, recall: 0.6, f1: 0.65, support: 50 },
    background: { precision: 0.8, recall: 0.9, f1: 0.85, support: 50 },
    confusion: { tp: 30, fp: 5, tn: 45, fn: 20 },
  };
}

function evalEntry(run: string, checkpoint: string, time: string, acc: number): EvalLogEntry {
  return { kind: "eval", run, step: Number(checkpoint.split("-")[1]), epoch: 1, checkpoint, dataset: "1:1 @1000", data: "data/val.jsonl", numericInput: "first-token", model: "tiny", metrics: metrics(acc, 0.9), time };
}

function writeRun(dir: string, entries: RunLogEntry[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "log.jsonl"), entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
}

test("results table: one row per evaluated checkpoint, latest evaluation wins, study columns", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-results-"));
  try {
    const a = path.join(root, "run-a");
    const b = path.join(root, "run-b");
    writeRun(a, [
      { kind: "train", run: "run-a", step: 10, epoch: 0, loss: 1, lr: 1e-4, time: "2026-11-20T10:00:00Z" },
      evalEntry("run-a", "checkpoint-10", "2026-11-20T10:05:00Z", 0.6),
      evalEntry("run-a", "checkpoint-20", "2026-11-20T11:00:00Z", 0.7),
      evalEntry("run-a", "checkpoint-10", "2026-11-21T09:00:00Z", 0.65), // re-evaluated later
    ]);
    writeRun(b, [{ ...evalEntry("run-b", "checkpoint-5", "2026-11-19T08:00:00Z", 0.55), numericInput: "off", dataset: "1:10 @8000" }]);
    const t = resultsTable([a, b]);
    assert.deepEqual(t.columns, [...RESULTS_COLUMNS]);
    assert.deepEqual(t.rows.map((r) => [r.Run, r.Checkpoint, r.Accuracy, r.Date]), [
      ["run-b", "checkpoint-5", "0.550", "2026-11-19"],
      ["run-a", "checkpoint-20", "0.700", "2026-11-20"],
      ["run-a", "checkpoint-10", "0.650", "2026-11-21"],
    ]);
    assert.equal(t.rows[0]["Numeric Input"], "off");
    assert.equal(t.rows[0].Dataset, "1:10 @8000");
    assert.equal(t.rows[0]["Background Precision"], "0.800");
    assert.equal(t.rows[0]["F1 Score Signal"], "0.650");
    assert.equal(t.rows[0]["Max SIC"], "2.500");
    // An old log's +Infinity rejection is shown as n/a with a note, never as a number.
    assert.equal(t.rows[0]["1/εB @ εS=0.3"], "n/a (1)");
    assert.match(t.notes![0], /^\(1\) no background event passes the cut/);
    assert.equal(t.rows[0]["1/εB @ εS=0.5"], "12.50");
    assert.equal(t.caption, "No intervals: these evaluations were run without bootstrap.");

    const out = writeResultsTable([a, b], path.join(root, "reports", "results"));
    assert.equal(out.md, path.join(root, "reports", "results.md"));
    assert.match(fs.readFileSync(out.md, "utf8"), /^\| Date \| Dataset \| Checkpoint \| Numeric Input \| Accuracy \| Background Precision \| Signal Precision \| F1 Score Signal \| F1 Score Background \| AUC \| Max SIC \| Balanced Accuracy \| Background Recall \| Signal Recall \| 1\/εB @ εS=0\.3 \| 1\/εB @ εS=0\.5 \| Run \|/);
    if (hasPython || IN_CI) { // in CI a missing python fails here
      const rows = pythonCSV(out.csv);
      assert.deepEqual(rows[0], [...RESULTS_COLUMNS]);
      assert.equal(rows.length, 1 + 3);
      assert.deepEqual(rows[1].slice(0, 5), ["2026-11-19", "1:10 @8000", "checkpoint-5", "off", "0.550"]);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("results table cells carry their interval, the level in the caption, n/a reasons as notes", () => {
  // S S B S B B … on 40 events: a real evaluation with 95% intervals and unsupported rejections.
  const labels = Array.from({ length: 40 }, (_, i) => (i % 3 === 2 ? 0 : 1));
  const scores = labels.map((y, i) => (y ? 0.55 : 0.45) + ((i * 7) % 10) / 40);
  const m = evaluate(labels, scores, { bootstrap: 100, seed: 1 });
  const e: EvalLogEntry = { ...evalEntry("r", "checkpoint-1", "2026-11-20T10:00:00Z", 0), metrics: m };
  const t = resultsTableOf([e]);
  const [lo, hi] = m.intervals!.auc;
  assert.equal(t.rows[0].AUC, `${m.auc.toFixed(3)} [${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
  assert.match(String(t.rows[0].AUC), /^\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]$/);
  assert.equal(t.caption, "Cells: value [low, high], the 95% bootstrap percentile interval over the evaluated events (100 resamples); n/a (k): see note k.");
  // 14 background events: max SIC has cuts keeping ≥ 12; rejection at εS = 0.3 keeps none.
  assert.match(String(t.rows[0]["1/εB @ εS=0.3"]), /^n\/a \(\d\)$/);
  const k = Number(/\((\d)\)/.exec(String(t.rows[0]["1/εB @ εS=0.3"]))![1]);
  assert.equal(t.notes![k - 1], `(${k}) ${m.unsupported!.rejection30}`);
  const md = tableMarkdown(t);
  assert.ok(md.includes(t.caption!) && md.includes(t.notes![0]), "caption and notes printed under the Markdown table");
  assert.match(md, /\|---\|---\|---\|---\|---:\|/, "metric columns right-aligned");
});

test("hepllm table writes results.md and results.csv; bad usage exits 2", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-results-"));
  const log = console.log;
  const err = console.error;
  try {
    const a = path.join(root, "a");
    const b = path.join(root, "b");
    writeRun(a, [evalEntry("a", "checkpoint-1", "2026-11-20T10:00:00Z", 0.6)]);
    writeRun(b, [evalEntry("b", "checkpoint-2", "2026-11-20T11:00:00Z", 0.7)]);
    console.log = () => undefined;
    console.error = () => undefined;
    assert.equal(await main(["table", "--runs", a, b, "--out", path.join(root, "out", "results")]), 0);
    assert.ok(fs.existsSync(path.join(root, "out", "results.md")));
    assert.equal(fs.readFileSync(path.join(root, "out", "results.csv"), "utf8").trim().split("\n").length, 3);
    assert.equal(await main(["table"]), 2);
    assert.equal(await main(["table", "--bogus"]), 2);
    await assert.rejects(main(["table", "--runs", path.join(root, "missing")]), /run log not found/);
  } finally {
    console.log = log;
    console.error = err;
    fs.rmSync(root, { recursive: true, force: true });
  }
});
