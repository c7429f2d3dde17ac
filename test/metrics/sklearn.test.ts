/**
 * Conformance with scikit-learn (Debian python3-sklearn) on random scores with ties: roc_curve
 * (with and without drop_intermediate), roc_auc_score, precision_recall_fscore_support,
 * confusion_matrix and accuracy_score. Skips with a message when sklearn is missing.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { auc, evaluate, pairedBootstrap, resampleIndices, rocCurve } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";

const PY = `
import sys, json
import numpy as np
from sklearn.metrics import roc_curve, roc_auc_score, precision_recall_fscore_support, confusion_matrix, accuracy_score, balanced_accuracy_score
out = []
for d in json.load(sys.stdin):
    y = np.array(d["labels"]); s = np.array(d["scores"]); pred = (s >= 0.5).astype(int)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    fpr2, tpr2, thr2 = roc_curve(y, s)
    p, r, f, sup = precision_recall_fscore_support(y, pred, labels=[0, 1], zero_division=0)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    out.append(dict(fpr=fpr.tolist(), tpr=tpr.tolist(), thr=thr[1:].tolist(), fpr2=fpr2.tolist(), tpr2=tpr2.tolist(),
        thr2=thr2[1:].tolist(), auc=roc_auc_score(y, s), p=p.tolist(), r=r.tolist(), f=f.tolist(), sup=sup.tolist(),
        cm=[int(tn), int(fp), int(fn), int(tp)], acc=accuracy_score(y, pred), bal=balanced_accuracy_score(y, pred)))
print(json.dumps(out))
`;

interface Ref {
  fpr: number[]; tpr: number[]; thr: number[]; fpr2: number[]; tpr2: number[]; thr2: number[];
  auc: number; p: number[]; r: number[]; f: number[]; sup: number[]; cm: number[]; acc: number; bal: number;
}

function sample(seed: number, n: number, digits: number): { labels: number[]; scores: number[] } {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
  // Signal shifted up; rounding makes many ties, including across classes.
  const scale = 10 ** digits;
  const scores = labels.map((y) => Math.round(Math.min(1, Math.max(0, 0.5 + 0.2 * rng.normal() + (y ? 0.15 : -0.05))) * scale) / scale);
  return { labels, scores };
}

const close = (a: number[], b: number[], what: string): void => {
  assert.equal(a.length, b.length, `${what}: length ${a.length} vs ${b.length}`);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-12, `${what}[${i}]: ${x} vs ${b[i]}`));
};

test("metrics match scikit-learn on random scores", { skip: skipUnlessPython("sklearn", "python3-sklearn") }, () => {
  const cases = [sample(1, 500, 2), sample(2, 2000, 3), sample(3, 300, 1), sample(4, 1000, 12)];
  const r = spawnSync(SYSTEM_PYTHON, ["-c", PY], { input: JSON.stringify(cases), encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const refs = JSON.parse(r.stdout) as Ref[];
  cases.forEach(({ labels, scores }, k) => {
    const ref = refs[k];
    const full = rocCurve(labels, scores, { dropIntermediate: false });
    close(full.fpr, ref.fpr, `case ${k} fpr`);
    close(full.tpr, ref.tpr, `case ${k} tpr`);
    close(full.thresholds.slice(1), ref.thr, `case ${k} thresholds`);
    const dropped = rocCurve(labels, scores);
    close(dropped.fpr, ref.fpr2, `case ${k} fpr (drop_intermediate)`);
    close(dropped.tpr, ref.tpr2, `case ${k} tpr (drop_intermediate)`);
    close(dropped.thresholds.slice(1), ref.thr2, `case ${k} thresholds (drop_intermediate)`);
    assert.ok(Math.abs(auc(labels, scores) - ref.auc) < 1e-12, `case ${k} auc`);
    const m = evaluate(labels, scores);
    close([m.background.precision, m.signal.precision], ref.p, `case ${k} precision`);
    close([m.background.recall, m.signal.recall], ref.r, `case ${k} recall`);
    close([m.background.f1, m.signal.f1], ref.f, `case ${k} f1`);
    assert.deepEqual([m.background.support, m.signal.support], ref.sup);
    assert.deepEqual([m.confusion.tn, m.confusion.fp, m.confusion.fn, m.confusion.tp], ref.cm);
    assert.ok(Math.abs(m.accuracy - ref.acc) < 1e-12);
    assert.ok(Math.abs(m.balancedAccuracy! - ref.bal) < 1e-12, `case ${k} balanced accuracy ${m.balancedAccuracy} vs ${ref.bal}`);
  });
});

const PAIRED_PY = `
import sys, json
import numpy as np
from sklearn.metrics import roc_auc_score, balanced_accuracy_score, accuracy_score, f1_score
d = json.load(sys.stdin)
y = np.array(d["labels"]); a = np.array(d["a"]); b = np.array(d["b"])
fns = dict(auc=lambda y, s: roc_auc_score(y, s), balancedAccuracy=lambda y, s: balanced_accuracy_score(y, (s >= 0.5).astype(int)),
           accuracy=lambda y, s: accuracy_score(y, (s >= 0.5).astype(int)), **{"signal.f1": lambda y, s: f1_score(y, (s >= 0.5).astype(int), zero_division=0)})
out = {}
for k, f in fns.items():
    diffs = [f(y[i], a[i]) - f(y[i], b[i]) for i in map(np.array, d["indices"])]
    out[k] = dict(a=f(y, a), b=f(y, b), lo=float(np.percentile(diffs, 2.5)), hi=float(np.percentile(diffs, 97.5)))
print(json.dumps(out))
`;

test("paired bootstrap matches scikit-learn metrics on the same resampled events", { skip: skipUnlessPython("sklearn", "python3-sklearn") }, () => {
  // Two correlated classifiers: B = A's score plus extra noise, on the same 400 events.
  const rng = new Rng(8);
  const labels = Array.from({ length: 400 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const a = labels.map((y) => 1 / (1 + Math.exp(-(1.2 * (y ? 1 : -1) + rng.normal()))));
  const b = a.map((s) => Math.min(1, Math.max(0, s + 0.05 * rng.normal())));
  const names = ["auc", "balancedAccuracy", "accuracy", "signal.f1"];
  const p = pairedBootstrap(labels, a, b, names, { resamples: 300, seed: 12 });
  const indices = resampleIndices(labels.length, { resamples: 300, seed: 12 }).map((x) => Array.from(x));
  const r = spawnSync(SYSTEM_PYTHON, ["-c", PAIRED_PY], { input: JSON.stringify({ labels, a, b, indices }), encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, { a: number; b: number; lo: number; hi: number }>;
  for (const k of names) {
    const got = p[k];
    assert.ok(Math.abs(got.a - ref[k].a) < 1e-12 && Math.abs(got.b - ref[k].b) < 1e-12, `${k}: a, b`);
    assert.ok(Math.abs(got.diff - (ref[k].a - ref[k].b)) < 1e-12, `${k}: diff`);
    assert.ok(Math.abs(got.interval[0] - ref[k].lo) < 1e-12 && Math.abs(got.interval[1] - ref[k].hi) < 1e-12, `${k}: [${got.interval}] vs sklearn [${ref[k].lo}, ${ref[k].hi}]`);
    assert.equal(got.level, 0.95);
  }
  // Pairing matters: the AUC difference's interval is narrower than A's own interval.
  const ivA = evaluate(labels, a, { bootstrap: 300, seed: 12 }).intervals!.auc;
  assert.ok(p.auc.interval[1] - p.auc.interval[0] < ivA[1] - ivA[0], "paired difference narrower than a single AUC interval");
});
