#!/usr/bin/python3
"""scikit-learn's HistGradientBoostingClassifier on hepllm's feature vectors (benchmark arm).

Reads a JSON file {"seed", "train": {"x", "y"}, "val": {"x", "y"}, "tests": [{"name", "x"}]}
(x: rows of the scaled feature vector, lib/llm/adapters/fusion/features.ts), fits on train only, picks the
number of boosting iterations by validation AUC (staged predictions; never the test sets), and
prints JSON {"iterations", "valAuc", "scores": {name: [P(signal)]}} on stdout.
Debian's python3-sklearn; benchmark only, never runtime.
"""
import json
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

MAX_ITER = 500  # upper bound; the val AUC picks the number actually used


def main() -> None:
    d = json.load(open(sys.argv[1]))
    xtr, ytr = np.asarray(d["train"]["x"]), np.asarray(d["train"]["y"])
    xva, yva = np.asarray(d["val"]["x"]), np.asarray(d["val"]["y"])
    clf = HistGradientBoostingClassifier(max_iter=MAX_ITER, learning_rate=0.1, early_stopping=False, random_state=d["seed"])
    clf.fit(xtr, ytr)
    val_auc = [roc_auc_score(yva, p[:, 1]) for p in clf.staged_predict_proba(xva)]
    best = int(np.argmax(val_auc))
    scores = {}
    for t in d["tests"]:
        for i, p in enumerate(clf.staged_predict_proba(np.asarray(t["x"]))):
            if i == best:
                scores[t["name"]] = p[:, 1].tolist()
                break
    json.dump({"iterations": best + 1, "valAuc": val_auc[best], "scores": scores}, sys.stdout)


if __name__ == "__main__":
    main()
