import { test } from "node:test";
import * as assert from "node:assert/strict";
import { differenceVerdict, pairByIds, pairedBootstrap } from "../../lib/metrics";

test("paired bootstrap of a classifier with itself: difference 0 with interval [0, 0]", () => {
  const labels = [1, 0, 1, 1, 0, 0, 1, 0];
  const s = [0.9, 0.1, 0.6, 0.4, 0.5, 0.2, 0.8, 0.3];
  const p = pairedBootstrap(labels, s, s, ["auc", "accuracy"], { resamples: 50, seed: 1 });
  assert.equal(p.auc.diff, 0);
  assert.deepEqual(p.auc.interval, [0, 0]);
  assert.equal(differenceVerdict(p.auc.interval), "within CI");
  // Hand values: AUC of s is 15/16 (one of 16 pairs, 0.4 vs 0.5, misordered).
  assert.equal(p.auc.a, 15 / 16);
});

test("paired bootstrap: a clearly better classifier is beyond the CI; unsupported metrics say why", () => {
  const labels = Array.from({ length: 200 }, (_, i) => i % 2);
  const good = labels.map((y, i) => (y ? 0.6 : 0.4) + ((i * 37) % 11) / 100);
  const coin = labels.map((_, i) => ((i * 53) % 101) / 101);
  const p = pairedBootstrap(labels, good, coin, ["auc", "maxSic", "rejection30"], { resamples: 200, seed: 2 });
  assert.equal(p.auc.a, 1);
  assert.ok(p.auc.interval[0] > 0);
  assert.equal(differenceVerdict(p.auc.interval), "beyond CI");
  // The perfect classifier passes no background at εS = 0.3: its rejection is n/a, so is the difference.
  assert.ok(Number.isNaN(p.rejection30.diff));
  assert.match(p.rejection30.unsupported!, /^A: 0 of 100 background events pass/);
  assert.equal(differenceVerdict(p.rejection30.interval), "n/a");
  assert.throws(() => pairedBootstrap(labels, good, coin, ["bogus"]), /metric "bogus" is not one of/);
  assert.throws(() => pairedBootstrap(labels, good, coin.slice(1), ["auc"]), /classifier B.*200 labels but 199 scores/);
});

test("pairByIds aligns two arms' scores by event id and refuses different event sets", () => {
  const a = { ids: [5, 3, 9], labels: [1, 0, 1], scores: [0.9, 0.2, 0.7] };
  const b = { ids: [9, 5, 3], labels: [1, 1, 0], scores: [0.6, 0.8, 0.1] };
  assert.deepEqual(pairByIds(a, b), { ids: [5, 3, 9], labels: [1, 0, 1], scoresA: [0.9, 0.2, 0.7], scoresB: [0.8, 0.1, 0.6] });
  assert.throws(() => pairByIds(a, { ...b, ids: [9, 5, 4] }), /id 3 is in A but not in B/);
  assert.throws(() => pairByIds(a, { ...b, labels: [1, 0, 0] }), /id 5 has label 1 in A but 0 in B/);
  assert.throws(() => pairByIds(a, { ids: [1], labels: [1], scores: [1] }), /3 events in A but 1 in B/);
});
