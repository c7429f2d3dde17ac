/**
 * The reference solutions against independent references: h5py/NumPy for steps 1, 2, 4 and 5
 * (re-implemented in NumPy from the contract), FastJet 3.4 (the shared CSV) for step 3.
 */
import { before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { LOGISTIC, MJJ_EDGES, SCORE_CUT } from "../../lib/analysis/contract";
import { readNpy } from "../../lib/analysis/npy";
import { buildReferences, ReferenceLayout } from "../../lib/analysis/reference";
import { closeEnough, DEFAULT_TOLERANCE } from "../../lib/analysis/validate";
import { sharedFile, skipUnlessPython, skipUnlessShared, SYSTEM_PYTHON } from "../support/shared";
import { tempDir } from "./fixture";

const TINY = "fixtures/lhco/events_anomalydetection_tiny.h5";
const FASTJET = "fixtures/lhco/fastjet_reference_features.csv";
const skip = skipUnlessShared(TINY) || skipUnlessPython("h5py", "python3-h5py") || skipUnlessPython("tables", "python3-tables");
let layout: ReferenceLayout;

before(async () => {
  if (skip) return;
  layout = await buildReferences(sharedFile(TINY)!, tempDir("reference"), [1, 2, 3, 4, 5]);
});

function py(code: string): string {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", code], { encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const out = (step: 1 | 2 | 3 | 4 | 5, f: string) => path.join(layout.outputDir(step), f);

test("step 1: summary equals h5py's view of the file", { skip }, () => {
  const want = JSON.parse(py(`
import h5py, json, tables, numpy as np
f = h5py.File("${sharedFile(TINY)}", "r")
ds = []
f.visititems(lambda n, o: ds.append({"path": "/" + n, "shape": list(o.shape)}) if isinstance(o, h5py.Dataset) else None)
v = tables.open_file("${sharedFile(TINY)}").root.df.block0_values.read()  # PyTables decodes Blosc
cnt = (v[:, 0:2100:3] > 0).sum(axis=1)
print(json.dumps({"datasets": sorted(ds, key=lambda d: d["path"]), "n_events": v.shape[0], "n_columns": v.shape[1],
  "n_signal": int((v[:, -1] == 1).sum()), "n_background": int((v[:, -1] == 0).sum()),
  "max_particles": int(cnt.max()), "mean_particles": float(cnt.mean())}))`));
  const got = JSON.parse(fs.readFileSync(out(1, "summary.json"), "utf8"));
  assert.deepEqual(got, want);
  assert.equal(got.n_signal, 93); // the README's count
});

test("step 2: particles and labels equal the raw table reshaped by NumPy", { skip }, () => {
  const r = py(`
import tables, numpy as np
v = tables.open_file("${sharedFile(TINY)}").root.df.block0_values.read()
p = np.load("${out(2, "particles.npy")}"); l = np.load("${out(2, "labels.npy")}")
print(p.dtype.str, p.shape, l.dtype.str, l.shape, np.array_equal(p, v[:, :2100].reshape(-1, 700, 3)), np.array_equal(l, v[:, 2100].astype(np.int64)))`);
  assert.equal(r, "<f8 (1000, 700, 3) <i8 (1000,) True True");
});

test("step 3: jet features equal FastJet 3.4 (anti-kt R=1, pT > 20 GeV, tau21 with kt axes)", { skip: skip || skipUnlessShared(FASTJET) }, () => {
  const f = readNpy(out(3, "features.npy"));
  const x = f.data as Float64Array;
  const lines = fs.readFileSync(sharedFile(FASTJET)!, "utf8").trim().split("\n");
  const head = lines[0].split(",");
  let compared = 0, lessThanTwo = 0;
  for (const line of lines.slice(1)) {
    const v = line.split(",").map(Number);
    const row = v[0];
    const at = (name: string) => v[head.indexOf(name)];
    const got = (c: number) => x[row * 12 + c];
    assert.equal(got(11), at("njets"), `event ${row}: n_jets`);
    if (v.length < head.length) {
      lessThanTwo++;
      assert.ok(Number.isNaN(got(10)) && Number.isNaN(got(5)), `event ${row}: second jet and mjj must be NaN`);
      continue;
    }
    // The CSV has 6 decimals: allow its rounding on top of four significant digits.
    const near = (c: number, want: number, what: string, extra = 0) => {
      const g = got(c);
      assert.ok(closeEnough(want, g, DEFAULT_TOLERANCE) || Math.abs(g - want) <= 1e-6 + extra, `event ${row}: ${what} = ${g}, FastJet ${want}`);
    };
    for (const [j, base] of [[1, 0], [2, 5]] as const) {
      near(base, at(`ptj${j}`), `pt${j}`);
      near(base + 1, at(`etaj${j}`), `eta${j}`);
      near(base + 2, at(`phij${j}`), `phi${j}`);
      near(base + 3, at(`mj${j}`), `m${j}`);
      const t1 = at(`tau1j${j}`), t2 = at(`tau2j${j}`);
      const ratio = t1 > 0 ? t2 / t1 : 0;
      near(base + 4, ratio, `tau21_${j}`, t1 > 0 ? ratio * (5e-7 / t1 + 5e-7 / Math.max(t2, 1e-12)) : 0);
    }
    near(10, at("mjj"), "mjj");
    compared++;
  }
  assert.equal(compared + lessThanTwo, 1000);
  assert.ok(compared > 900);
});

test("step 4: scores equal a NumPy implementation of the contract's classifier", { skip }, () => {
  const r = py(`
import numpy as np
X = np.load("${out(3, "features.npy")}"); y = np.load("${out(2, "labels.npy")}").astype(float)
mu = np.nanmean(X, axis=0); sd = np.nanstd(X, axis=0)
Z = np.where(np.isnan(X) | (sd == 0), 0.0, (X - mu) / np.where(sd == 0, 1, sd))
t = (y == 0) | (y == 1); Zt, yt = Z[t], y[t]
w = np.zeros(X.shape[1]); b = 0.0
for _ in range(${LOGISTIC.iterations}):
    p = 1 / (1 + np.exp(-(Zt @ w + b)))
    w, b = w - ${LOGISTIC.learningRate} * Zt.T @ (p - yt) / len(yt), b - ${LOGISTIC.learningRate} * np.mean(p - yt)
s = 1 / (1 + np.exp(-(Z @ w + b)))
got = np.load("${out(4, "scores.npy")}")
print(got.shape, float(np.max(np.abs(got - s) / s)))`);
  const [shape, rel] = r.split(") ");
  assert.equal(shape + ")", "(1000,)");
  assert.ok(Number(rel) < 1e-10, `max relative difference ${rel}`);
});

test("step 5: categories and significances equal NumPy's", { skip }, () => {
  const edges = MJJ_EDGES.map((e) => (Number.isFinite(e) ? e : "np.inf")).join(", ");
  const r = py(`
import numpy as np
X = np.load("${out(3, "features.npy")}"); y = np.load("${out(2, "labels.npy")}"); s = np.load("${out(4, "scores.npy")}")
edges = np.array([${edges}]); m = X[:, 10]
cat = np.where(np.isnan(m), -1, np.digitize(np.nan_to_num(m, nan=-1), edges) - 1)
rows = []
for k in range(len(edges) - 1):
    sel = (cat == k) & (s > ${SCORE_CUT})
    S = float(((y == 1) & sel).sum()); B = float(((y == 0) & sel).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.sqrt(2 * ((S + B) * np.log1p(S / B) - S)) if B > 0 else np.nan
        rows.append([(cat == k).sum(), S, B, S / np.sqrt(B) if B > 0 else np.nan, z])
got_c = np.load("${out(5, "categories.npy")}"); got_s = np.load("${out(5, "significance.npy")}")
print(np.array_equal(got_c, cat), got_c.dtype.str, np.allclose(got_s, np.array(rows), rtol=1e-12, equal_nan=True), got_s.shape)`);
  assert.equal(r, "True <i8 True (5, 5)");
});
