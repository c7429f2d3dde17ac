import { test } from "node:test";
import * as assert from "node:assert/strict";
import { evaluate } from "../../lib/metrics";
import type { MetricsReport, PairedDifference } from "../../lib/metrics";
import { formatInterval, formatNumber, metricsTable, pairedDifferenceTable, seedsTable } from "../../lib/report";

const pd = (a: number, b: number, lo: number, hi: number, unsupported?: string): PairedDifference => ({ a, b, diff: a - b, interval: [lo, hi], level: 0.95, unsupported });

test("paired-difference table: A − B with its interval, within / beyond CI, n/a with the reason", () => {
  const t = pairedDifferenceTable([
    { a: "llm-fusion", b: "mlp", dataset: "1:1", result: { auc: pd(0.9, 0.88, 0.004, 0.036), maxSic: pd(3, 3.1, -0.5, 0.3) } },
    { a: "llm-fusion", b: "llm-text", result: { rejection30: { ...pd(NaN, 20, NaN, NaN, "A: 3 of 50 background events pass"), diff: NaN } } },
  ]);
  assert.deepEqual(t.columns, ["Comparison", "Dataset", "Metric", "A", "B", "A − B", "Verdict"]);
  assert.deepEqual(t.rows[0], { Comparison: "llm-fusion − mlp", Dataset: "1:1", Metric: "AUC", A: "0.900", B: "0.880", "A − B": "0.020 [0.004, 0.036]", Verdict: "beyond CI" });
  assert.equal(t.rows[1]["A − B"], "-0.100 [-0.500, 0.300]");
  assert.equal(t.rows[1].Verdict, "within CI");
  assert.equal(t.rows[2].Verdict, "n/a (1)");
  assert.deepEqual(t.notes, ["(1) A: 3 of 50 background events pass"]);
  assert.match(t.caption!, /95% paired-bootstrap percentile interval/);
  assert.throws(() => pairedDifferenceTable([{ a: "x", b: "y", result: {} }], { metrics: ["auc"] }), /has no metric "auc"/);
});

test("seeds table: mean ± sample std over the seeds' reports", () => {
  const rep = (auc: number, maxSic: number): MetricsReport => ({ ...evaluate([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.3]), auc, maxSic });
  // AUC 0.90, 0.92, 0.94: mean 0.92, std √((0.02² + 0 + 0.02²)/2) = 0.02.
  const t = seedsTable([{ arm: "mlp", dataset: "1:10", reports: [rep(0.9, 2), rep(0.92, NaN), rep(0.94, 3)] }], { metrics: ["auc", "maxSic"] });
  assert.deepEqual(t.rows[0], { Arm: "mlp", Dataset: "1:10", Seeds: 3, AUC: "0.920 ± 0.020", "Max SIC": "n/a (1)" });
  assert.deepEqual(t.notes, ["(1) Max SIC: n/a in 1 of 3 seeds (mlp, 1:10)"]);
  assert.equal(seedsTable([{ arm: "a", reports: [rep(0.8, 1)] }], { metrics: ["auc"] }).rows[0].AUC, "0.800 (one seed)");
});

test("metrics table and number formats", () => {
  const m = evaluate([1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]);
  const t = metricsTable([{ name: "toy", metrics: m }], { metrics: ["auc", "rejection30"] });
  assert.deepEqual(t.rows[0], { Classifier: "toy", Dataset: "", Events: 6, AUC: "0.889", "1/εB @ εS=0.3": "n/a (1)" });
  assert.equal(formatInterval(0.9124, [0.8981, 0.9252]), "0.912 [0.898, 0.925]");
  assert.equal(formatNumber(523.44), "523.4");
  assert.equal(formatNumber(12.345), "12.35");
  assert.equal(formatNumber(1250.4), "1250");
  assert.equal(formatNumber(NaN), "n/a");
});
