/**
 * The piecewise-linear encoder: a hand-derived case, numpy's quantiles as the reference for the
 * fitted edges, and the state round trip through numeric_encoder.json.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { loadEncoder, numericEncoder, saveEncoder } from "../../../../lib/llm/adapters/fusion/encoder";
import { PiecewiseLinearEncoding } from "../../../../lib/llm/adapters/fusion/ple";
import { Rng } from "../../../../lib/util/rng";
import { SYSTEM_PYTHON, skipUnlessPython } from "../../../support/shared";

test("ple: hand-derived edges and encodings (one feature 0..4, two bins; a 0/1 flag)", () => {
  const enc = numericEncoder({ encoding: "ple", bins: 2 }, 2) as PiecewiseLinearEncoding;
  // rows [value, flag]
  enc.fit(Float32Array.from([0, 0, 1, 1, 2, 1, 3, 1, 4, 0]), 5);
  assert.deepEqual(enc.edges, [[0, 2, 4], [0, 1, 1]]);
  assert.equal(enc.outputSize, 6);
  const out = enc.encode(Float32Array.from([1, 0, 3, 1, 5, 1, -1, 0]), 4);
  // [x, flag, ple(x) bin 1, bin 2, ple(flag) bin 1, bin 2 (zero width: a step above 1)]
  assert.deepEqual([...out], [
    1, 0, 0.5, 0, 0, 0,
    3, 1, 1, 0.5, 1, 0,
    5, 1, 1, 1, 1, 0,
    -1, 0, 0, 0, 0, 0,
  ]);
});

test("ple: fitted edges equal numpy.quantile (linear interpolation)", { skip: skipUnlessPython("numpy", "python3-numpy") }, () => {
  const rng = new Rng(4);
  const n = 257;
  const x = Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === 2 ? (rng.uniform() < 0.3 ? 1 : 0) : rng.normal() * (1 + (i % 3))));
  const enc = new PiecewiseLinearEncoding({ encoding: "ple", bins: 7 }, 3);
  enc.fit(x, n);
  const py = spawnSync(SYSTEM_PYTHON, ["-c", "import sys,json,numpy as np; x=np.array(json.load(sys.stdin),dtype=np.float32).reshape(-1,3).astype(np.float64); print(json.dumps(np.quantile(x,np.linspace(0,1,8),axis=0).T.tolist()))"], { input: JSON.stringify([...x]), encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as number[][];
  ref.forEach((row, j) => row.forEach((v, k) => assert.ok(Math.abs(enc.edges![j][k] - v) < 1e-12, `feature ${j} edge ${k}: ${enc.edges![j][k]} vs numpy ${v}`)));
});

test("ple: state saved beside the weights restores identical encodings; mismatches and missing files are errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-ple-"));
  const x = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
  const a = numericEncoder({ encoding: "ple", bins: 4 }, 2);
  a.fit(x, 20);
  saveEncoder(a, dir);
  const b = numericEncoder({ encoding: "ple", bins: 4 }, 2);
  assert.throws(() => b.encode(x, 20), /not fitted/);
  loadEncoder(b, dir);
  assert.deepEqual(b.encode(x, 20), a.encode(x, 20));
  assert.throws(() => loadEncoder(numericEncoder({ encoding: "ple", bins: 5 }, 2), dir), /saved encoding ple\/4 bins/);
  assert.throws(() => loadEncoder(numericEncoder({ encoding: "ple", bins: 4 }, 2), fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-ple-none-"))), /no numeric_encoder.json/);
  // "scaled" passes the vector through and has nothing to load.
  const s = numericEncoder({ encoding: "scaled", bins: 4 }, 2);
  assert.equal(s.encode(x, 20), x);
});
