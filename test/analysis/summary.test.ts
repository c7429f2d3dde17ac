import { mock, test } from "node:test";
import type * as FS from "node:fs";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { appendSummary, formatCsv, parseCsv, readSummary, SummaryRow, wilson } from "../../lib/analysis/summary";
import { skipUnlessSystemPython, SYSTEM_PYTHON } from "../support/shared";
import { tempDir } from "./fixture";

const row = (over: Partial<SummaryRow>): SummaryRow => ({
  supervisor: "s", coder: "c", step: "1", success: "true", iterations: "1", duration: "1.000", API_calls: "2", tokens: "10",
  errors: "", error_descriptions: "", run: "r", repeat: "1", run_dir: "/x", ...over,
});

test("CSV quoting survives Python's csv module and our parser", { skip: skipUnlessSystemPython() }, () => {
  const tricky = row({ error_descriptions: 'TypeError: "x", is not\na function', coder: "org/model:7b" });
  const text = formatCsv([tricky, row({})]);
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import csv, sys, json; print(json.dumps(list(csv.DictReader(sys.stdin))))"], { input: text, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [tricky, row({})]);
  assert.deepEqual(parseCsv(text), [tricky, row({})]);
});

test("appendSummary keeps every row from concurrent writers", async () => {
  const file = path.join(tempDir("summary"), "results_summary.csv");
  await Promise.all(Array.from({ length: 20 }, (_, i) => appendSummary(file, [row({ repeat: String(i) })])));
  const got = readSummary(file).map((r) => Number(r.repeat)).sort((a, b) => a - b);
  assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => i));
});

test("appendSummary retries when the lock is released between its open and its stat", async (t) => {
  const file = path.join(tempDir("summary-race"), "results_summary.csv");
  const fs = require("node:fs") as typeof FS; // the module object itself, which the library reads through
  const open = fs.openSync;
  let raced = false;
  // The other writer held the lock at open time and removed it right after: EEXIST, then no file.
  const m = mock.method(fs, "openSync", (p: FS.PathLike, flags: FS.OpenMode) => {
    if (!raced && String(p) === `${file}.lock`) {
      raced = true;
      throw Object.assign(new Error("EEXIST: file already exists"), { code: "EEXIST" });
    }
    return open(p, flags);
  });
  t.after(() => m.mock.restore());
  await appendSummary(file, [row({ repeat: "7" })]);
  assert.ok(raced);
  assert.deepEqual(readSummary(file).map((r) => r.repeat), ["7"]);
});

test("Wilson interval: hand-computed values", () => {
  // k = 5, n = 10, z = 1.96: centre 0.5, half-width 1.96 sqrt(0.025 + 0.00096)/1.384 = 0.2366
  const [lo, hi] = wilson(5, 10);
  assert.ok(Math.abs(lo - 0.2366) < 1e-4 && Math.abs(hi - 0.7634) < 1e-4, `${lo} ${hi}`);
  const [l0, h0] = wilson(0, 4);
  assert.equal(l0, 0);
  assert.ok(Math.abs(h0 - 0.4899) < 1e-4, `${h0}`);
});
