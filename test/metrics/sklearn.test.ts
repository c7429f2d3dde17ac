/**
 * Conformance with scikit-learn (Debian python3-sklearn) on random scores with ties: roc_curve
 * (with and without drop_intermediate), roc_auc_score, precision_recall_fscore_support,
 * confusion_matrix and accuracy_score. Skips with a message when sklearn is missing.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { auc, evaluate, rocCurve } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";

const PY = `
import sys, json
import numpy as np
from sklearn.metrics import roc_curve, roc_auc_score, precision_recall_fscore_support, confusion_matrix, accuracy_score
out = []
for d in json.load(sys.stdin):
    y = np.array(d["labels"]); s = np.array(d["scores"]); pred = (s >= 0.5).astype(int)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    fpr2, tpr2, thr2 = roc_curve(y, s)
    p, r, f, sup = precision_recall_fscore_support(y, pred, labels=[0, 1], zero_division=0)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    out.append(dict(fpr=fpr.tolist(), tpr=tpr.tolist(), thr=thr[1:].tolist(), fpr2=fpr2.tolist(), tpr2=tpr2.tolist(),
        thr2=thr2[1:].tolist(), auc=roc_auc_score(y, s), p=p.tolist(), r=r.tolist(), f=f.tolist(), sup=sup.tolist(),
        cm=[int(tn), int(fp), int(fn), int(tp)], acc=accuracy_score(y, pred)))
print(json.dumps(out))
`;

interface Ref {
  fpr: number[]; tpr: number[]; thr: number[]; fpr2: number[]; tpr2: number[]; thr2: number[];
  auc: number; p: number[]; r: number[]; f: number[]; sup: number[]; cm: number[]; acc: number;
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
  });
});
