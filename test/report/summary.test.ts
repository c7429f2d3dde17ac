import { test } from "node:test";
import * as assert from "node:assert/strict";
import { evaluate } from "../../lib/metrics";
import { metricsSummary } from "../../lib/report";

test("eval's text form: each metric with its interval, the level, the rule and the n/a reasons", () => {
  // 100 events at 1:1, perfectly separated: accuracy 1 with interval [1, 1]; no background passes at
  // εS = 0.3 / 0.5 (n/a); max SIC √(50/12) at the tightest allowed cut (a lower limit).
  const labels = Array.from({ length: 100 }, (_, i) => (i >= 50 ? 1 : 0));
  const scores = labels.map((_, i) => (i + 0.5) / 100); // background 0.005..0.495, signal 0.505..0.995
  const lines = metricsSummary(evaluate(labels, scores, { bootstrap: 50, seed: 3 }));
  assert.equal(lines[0], "  accuracy 1.000 [1.000, 1.000]  balanced accuracy 1.000 [1.000, 1.000]  AUC 1.000 [1.000, 1.000]");
  assert.match(lines[1], /^ {2}1\/εB at εS = 0\.3: n\/a \(1\) {2}at εS = 0\.5: n\/a \(2\) {2}max SIC 2\.041 \[\d\.\d{3}, \d\.\d{3}\] \(3\)$/);
  assert.equal(lines[4], "  [low, high]: 95% bootstrap percentile intervals (50 resamples, seed 3); score cut 0.5");
  assert.equal(lines[5], "  1/εB needs ≥ 10 and max SIC ≥ 12 background events passing the cut");
  assert.match(lines[6], /^ {2}\(1\) 0 of 50 background events pass the cut at εS = 0\.3/);
  assert.match(lines[8], /^ {2}\(3\) max SIC is reached at the tightest cut the rule allows/);
  assert.equal(metricsSummary(evaluate(labels, scores))[4], "  no intervals (evaluated without bootstrap)");
});
