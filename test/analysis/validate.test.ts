import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { float64, int64, writeNpy } from "../../lib/analysis/npy";
import { closeEnough, compareArrays, compareJson, DEFAULT_TOLERANCE, formatReport, validateOutputs } from "../../lib/analysis/validate";
import { tempDir } from "./fixture";

const tol = DEFAULT_TOLERANCE;

test("four significant digits: half a unit in the 4th digit of the reference", () => {
  // 1234.5 -> the 4th digit is the units digit, half a unit = 0.5.
  assert.equal(closeEnough(1234.5, 1234.9, tol), true);
  assert.equal(closeEnough(1234.5, 1235.1, tol), false);
  // 0.012345 -> 4th significant digit is 1e-5, half = 5e-6.
  assert.equal(closeEnough(0.012345, 0.0123494, tol), true);
  assert.equal(closeEnough(0.012345, 0.0123510, tol), false);
  assert.equal(closeEnough(-9.999, -9.9994, tol), true);
  // exact zero: absolute floor 1e-9
  assert.equal(closeEnough(0, 3e-10, tol), true);
  assert.equal(closeEnough(0, 1e-6, tol), false);
  // 6 digits asked
  assert.equal(closeEnough(1234.5, 1234.9, { significantDigits: 6, atol: 0 }), false);
});

test("NaN only where the reference has NaN; integers exact; infinities equal", () => {
  assert.equal(closeEnough(NaN, NaN, tol), true);
  assert.equal(closeEnough(NaN, 0, tol), false);
  assert.equal(closeEnough(1, NaN, tol), false);
  assert.equal(closeEnough(Infinity, Infinity, tol), true);
  assert.equal(closeEnough(Infinity, 1e308, tol), false);
  assert.equal(closeEnough(12345, 12346, tol, true), false);
  assert.equal(closeEnough(12345, 12346, tol, false), true);
});

test("the report names the differing columns and rows", () => {
  const ref = float64([4, 3], Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, NaN]));
  const got = float64([4, 3], Float64Array.from([1, 2, 3, 4, 5.1, 6, 7, 8.2, 9, 10, 11, 0]));
  const c = compareArrays("features.npy", ref, got);
  assert.equal(c.ok, false);
  assert.equal(c.problem, "mismatch");
  assert.deepEqual(
    c.columns!.map((x) => [x.column, x.nRows, x.examples.map((e) => e.row)]),
    [[1, 2, [1, 2]], [2, 1, [3]]],
  );
  const text = formatReport({ ok: false, files: [c] }, { "features.npy": ["a", "b", "c"] });
  assert.match(text, /column 1 \(b\): 2 rows differ, e\.g\. row 1: expected 5, got 5\.1/);
  assert.match(text, /column 2 \(c\): 1 rows differ, e\.g\. row 3: expected NaN, got 0/);
});

test("shape mismatch and integer outputs", () => {
  const s = compareArrays("x.npy", float64([3]), float64([3, 1]));
  assert.equal(s.problem, "shape");
  assert.match(s.message!, /shape \(3, 1\), expected \(3,\)/);
  const i = compareArrays("labels.npy", int64([3], [1, 0, -1]), float64([3], Float64Array.from([1, 0, -1])));
  assert.equal(i.ok, true); // a float file with the right integer values is accepted
});

test("JSON outputs are compared value by value", () => {
  const ref = { n: 1000, mean: 169.742, list: [{ path: "/a", shape: [2, 3] }], none: null };
  assert.deepEqual(compareJson(ref, { n: 1000, mean: 169.75, list: [{ path: "/a", shape: [2, 3] }], none: null }), []);
  const d = compareJson(ref, { n: 999, mean: 170, list: [{ path: "/b", shape: [2] }] });
  assert.deepEqual(d, [
    "$.n: expected 1000, got 999",
    "$.mean: expected 169.742, got 170",
    '$.list[0].path: expected "/a", got "/b"',
    "$.list[0].shape: expected 2 elements, got 1",
    "$.none: missing",
  ]);
});

test("validateOutputs reports missing, unreadable and good files", () => {
  const dir = tempDir("validate");
  const ref = path.join(dir, "ref"), out = path.join(dir, "out");
  fs.mkdirSync(out, { recursive: true });
  writeNpy(path.join(ref, "a.npy"), float64([2], Float64Array.from([1, 2])));
  writeNpy(path.join(ref, "b.npy"), float64([2]));
  writeNpy(path.join(ref, "c.npy"), float64([2]));
  writeNpy(path.join(out, "a.npy"), float64([2], Float64Array.from([1.00001, 2])));
  fs.writeFileSync(path.join(out, "b.npy"), "garbage");
  const r = validateOutputs(ref, out, ["a.npy", "b.npy", "c.npy"]);
  assert.equal(r.ok, false);
  assert.deepEqual(r.files.map((f) => [f.file, f.ok, f.problem]), [["a.npy", true, undefined], ["b.npy", false, "unreadable"], ["c.npy", false, "missing"]]);
});
