/**
 * The support rule (lib/metrics/support.ts): rejection and max SIC only where the background left
 * after the cut supports them, NaN with the reason otherwise — in the value and in the resamples.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { binaryCurve, evaluate, MIN_BACKGROUND_REJECTION, MIN_BACKGROUND_SIC, supportedMaxSic, supportedRejectionAt } from "../../lib/metrics";

/** The demo's old validation set: 100 events at 1:1, perfectly separated (signal 0.51..1.00, background 0.01..0.50). */
function separated100(): { labels: number[]; scores: number[] } {
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 1; i <= 100; i++) {
    labels.push(i > 50 ? 1 : 0);
    scores.push(i / 100);
  }
  return { labels, scores };
}

test("the documented minima: 10 background events for 1/εB, 12 (relative error of εB ≤ 0.3) for max SIC", () => {
  assert.equal(MIN_BACKGROUND_REJECTION, 10);
  assert.equal(MIN_BACKGROUND_SIC, 12);
});

test("degenerate max SIC: a 1:1 set of 100 events no longer reports max SIC = 1", () => {
  const { labels, scores } = separated100();
  // Old behaviour: only cuts keeping ≥ 50 background counted, i.e. only the no-cut point
  // (εS = εB = 1), so max SIC was 1 whatever the classifier. Now that point never counts alone.
  const old = evaluate(labels, scores, { minBackground: 50 });
  assert.ok(Number.isNaN(old.maxSic), `max SIC ${old.maxSic} from the no-cut point alone`);
  assert.equal(old.unsupported!.maxSic, "the sample has 50 background events; max SIC needs a cut keeping ≥ 50 of them while rejecting some (relative error of εB ≈ 1/√N ≤ 0.14)");
  // Default rule: the best cut keeps all 50 signal and the 12 highest background: SIC = 1/√(12/50).
  const m = evaluate(labels, scores);
  assert.ok(Math.abs(m.maxSic - Math.sqrt(50 / 12)) < 1e-12, String(m.maxSic));
  assert.equal(m.maxSicThreshold, 0.39);
  // That cut is the tightest the rule allows: the value is set by the rule, flagged as a lower limit.
  assert.match(m.lowerLimits!.maxSic, /^max SIC is reached at the tightest cut the rule allows \(12 of 50 background events pass, minimum 12\)/);
  // No background passes at εS = 0.3 or 0.5: 1/εB would be +Infinity; it is n/a with the counts.
  assert.ok(Number.isNaN(m.rejection30) && Number.isNaN(m.rejection50));
  assert.equal(m.unsupported!.rejection50, "0 of 50 background events pass the cut at εS = 0.5; 1/εB needs ≥ 10 (relative error of εB ≈ 1/√N ≤ 0.32)");
  // JSON: null, with the reason beside it; never 1 or Infinity.
  const json = JSON.parse(JSON.stringify(old)) as Record<string, unknown>;
  assert.equal(json.maxSic, null);
  assert.equal(json.rejection30, null);
});

test("too little background in the whole sample: max SIC n/a with the numbers", () => {
  // 20 signal, 8 background: no cut can keep 12 background events.
  const labels = [...Array(20).fill(1), ...Array(8).fill(0)];
  const scores = labels.map((y, i) => (y ? 0.5 + i / 100 : i / 100));
  const m = evaluate(labels, scores);
  assert.ok(Number.isNaN(m.maxSic));
  assert.match(m.unsupported!.maxSic, /^the sample has 8 background events; max SIC needs a cut keeping ≥ 12/);
  // Ties: every background event at one score, so no cut keeps some but not all of them.
  const tied = supportedMaxSic(binaryCurve([1, 1, ...Array(30).fill(0)], [0.9, 0.8, ...Array(30).fill(0.5)]));
  assert.ok(Number.isNaN(tied.value));
  assert.match(tied.reason!, /^no score cut keeps ≥ 12 of the 30 background events while rejecting any/);
});

test("rejection at fixed εS counts the interpolated background (εB · N_B) against the minimum", () => {
  // 10 signal at 1.00..0.91, 100 background at 0.001..0.088 except 12 at 0.955. ROC points:
  // (0.1, 0) … (0.5, 0) [cut 0.96], (0.5, 0.12) [0.955], (0.6, 0.12) [0.95], …
  // εS = 0.3 and 0.5 are reached with no background passing → n/a; εS = 0.6 is reached at
  // (0.6, 0.12) from (0.5, 0.12): εB = 0.12, 12 events ≥ 10 → 1/εB = 1/0.12.
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < 10; i++) {
    labels.push(1);
    scores.push(1 - i / 100);
  }
  for (let i = 0; i < 100; i++) {
    labels.push(0);
    scores.push(i < 12 ? 0.955 : (i + 1) / 1000);
  }
  const m = evaluate(labels, scores);
  assert.ok(Number.isNaN(m.rejection30) && Number.isNaN(m.rejection50));
  assert.match(m.unsupported!.rejection30, /^0 of 100 background events pass the cut at εS = 0\.3/);
  const curve = binaryCurve(labels, scores);
  const r60 = supportedRejectionAt(curve, 0.6);
  assert.ok(Math.abs(r60.value - 1 / 0.12) < 1e-9, String(r60.value));
  assert.equal(r60.reason, undefined);
  // A higher minimum makes the same cut n/a; a minimum of 0 still never yields 1/0 = +Infinity.
  assert.match(supportedRejectionAt(curve, 0.6, 13).reason!, /^12 of 100 background events pass the cut at εS = 0\.6; 1\/εB needs ≥ 13/);
  const loose = evaluate(labels, scores, { minBackgroundRejection: 0 });
  assert.ok(Number.isNaN(loose.rejection50));
  assert.match(loose.unsupported!.rejection50, /needs ≥ 1 /);
});

test("bootstrap resamples follow the same rule: no Infinity and no 1 from degenerate resamples", () => {
  const { labels, scores } = separated100();
  const m = evaluate(labels, scores, { bootstrap: 200, seed: 3, minBackground: 50 });
  assert.equal(m.intervals!.maxSic, undefined);
  assert.equal(m.intervals!.rejection30, undefined);
  for (const [k, [lo, hi]] of Object.entries(m.intervals!)) assert.ok(Number.isFinite(lo) && Number.isFinite(hi), `${k}: [${lo}, ${hi}]`);
  const d = evaluate(labels, scores, { bootstrap: 200, seed: 3 });
  const [lo, hi] = d.intervals!.maxSic;
  assert.ok(lo > 1 && hi >= lo, `max SIC interval [${lo}, ${hi}]`);
});
