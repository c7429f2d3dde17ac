import { test } from "node:test";
import * as assert from "node:assert/strict";
import { confusionSpec, eventDisplaySpec, histogram, lossCurveSpec, overlaySpec, rejectionSpec, rocSpec, scoreDistributionsSpec, scoreHistogramSpec, sicBandSpec, sicSpec, thin, toVega } from "../../lib/report";
import { Rng } from "../../lib/util/rng";
import type { FigureSpec } from "../../lib/report";
import { assertWellFormedSVG } from "./files";

type Rows = Array<Record<string, unknown>>;
const values = (spec: FigureSpec | Record<string, unknown>): Rows => ((spec.data as { values: Rows }).values);

test("ROC figure: one curve per model with its AUC in the legend, and the random diagonal", () => {
  // S S B S B B: 8 of 9 pairs ordered, AUC 0.889.
  const spec = rocSpec([{ name: "toy", labels: [1, 1, 0, 1, 0, 0], scores: [6, 5, 4, 3, 2, 1] }]);
  const rows = values(spec);
  const models = [...new Set(rows.map((r) => r.model))];
  assert.deepEqual(models, ["toy (AUC 0.889)", "random (AUC 0.500)"]);
  const toy = rows.filter((r) => r.model === models[0]);
  assert.deepEqual(toy.map((r) => [r.fpr, r.tpr]), [[0, 0], [0, 2 / 3], [1 / 3, 2 / 3], [1 / 3, 1], [1, 1]]);
  const plotly = spec.usermeta!.plotly!;
  assert.equal(plotly.data.length, 2);
  assert.doesNotThrow(() => toVega(spec));
});

test("SIC figure only uses cuts keeping the minimum background", () => {
  const spec = sicSpec([{ name: "toy", labels: [1, 1, 0, 1, 0, 0], scores: [6, 5, 4, 3, 2, 1] }], { minBackground: 2 });
  const toy = values(spec).filter((r) => String(r.model).startsWith("toy"));
  // Cuts at scores 2 and 1 keep 2 and 3 background events: SIC = 1/√(2/3) and 1.
  assert.equal(toy.length, 2);
  assert.ok(Math.abs((toy[0].sic as number) - Math.sqrt(1.5)) < 1e-12);
  assert.match(String(toy[0].model), /max SIC 1\.22/);
});

test("score histograms have unit area per class", () => {
  const spec = scoreHistogramSpec({ labels: [1, 1, 1, 0, 0], scores: [0.95, 0.9, 0.3, 0.1, 0.12] }, { bins: 10 });
  const rows = ((spec.layer as Array<Record<string, unknown>>)[0].data as { values: Rows }).values;
  for (const cls of ["signal (3)", "background (2)"]) {
    const area = rows.filter((r) => r.cls === cls).reduce((a, r) => a + ((r.hi as number) - (r.lo as number)) * (r.density as number), 0);
    assert.ok(Math.abs(area - 1) < 1e-12, `${cls}: area ${area}`);
  }
  // Signal 0.95 and 0.9 share the last bin [0.9, 1): density 2/3 / 0.1.
  const last = rows.find((r) => r.cls === "signal (3)" && Math.abs((r.lo as number) - 0.9) < 1e-9)!;
  assert.ok(Math.abs((last.density as number) - 20 / 3) < 1e-9);
  assert.deepEqual(histogram([0, 0.5, 1, 7], 2, 0, 1, false).heights, [1, 3]);
});

test("confusion heatmap cells carry counts and row fractions", () => {
  const cells = values(confusionSpec({ tp: 3, fn: 1, fp: 2, tn: 8 }));
  const cell = (t: string, p: string): Record<string, unknown> => cells.find((c) => c.truth === t && c.predicted === p)!;
  assert.equal(cell("signal", "signal").count, 3);
  assert.equal(cell("signal", "signal").fraction, 0.75);
  assert.equal(cell("background", "signal").fraction, 0.2);
  assert.equal(cell("background", "background").text, "8 (80.0%)");
});

test("loss curves take train and val entries, one series each", () => {
  const spec = lossCurveSpec([
    { kind: "train", run: "r", step: 2, epoch: 0, loss: 1.5, lr: 1, time: "" },
    { kind: "train", run: "r", step: 1, epoch: 0, loss: 2, lr: 1, time: "" },
    { kind: "val", run: "r", step: 2, epoch: 0, loss: 1.7, time: "" },
  ]);
  const rows = values(spec);
  assert.deepEqual(rows.map((r) => [r.series, r.step, r.loss]), [["train", 1, 2], ["train", 2, 1.5], ["validation", 2, 1.7]]);
});

test("overlay puts the KS distance in the title", () => {
  assert.match(String(overlaySpec({ name: "a", values: [1, 2] }, { name: "b", values: [3, 4] }, { quantity: "x" }).title), /KS distance 1\.000$/);
  assert.match(String(overlaySpec({ name: "a", values: [1, 2] }, { name: "b", values: [1.5, 2] }, { quantity: "x" }).title), /KS distance 0\.500$/);
});

test("event display: particles sized by pT, jet circles of radius R around the axes", () => {
  const spec = eventDisplaySpec({ pt: [100, 5], eta: [0, 1], phi: [0, -1], jetIndex: [0, -1], jets: [{ eta: 0.2, phi: 0.3 }, { eta: -1, phi: 2, R: 0.4 }] }, { R: 0.8 });
  const layers = spec.layer as Array<{ data: { values: Rows } }>;
  assert.deepEqual(layers[0].data.values.map((p) => p.group), ["jet 1", "unclustered"]);
  for (const p of layers[1].data.values) {
    const [eta0, phi0, r] = p.jet === "jet 1" ? [0.2, 0.3, 0.8] : [-1, 2, 0.4];
    assert.ok(Math.abs(Math.hypot((p.eta as number) - eta0, (p.phi as number) - phi0) - r) < 1e-12);
  }
  assert.throws(() => eventDisplaySpec({ pt: [1], eta: [], phi: [1] }), /lengths differ/);
});

test("thin keeps the ends and at most max points", () => {
  const xs = Array.from({ length: 1001 }, (_, i) => i);
  const t = thin(xs, 11);
  assert.deepEqual(t, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.equal(thin([1, 2], 5).length, 2);
});

test("the SVG checker used by the export test rejects broken files", () => {
  assert.throws(() => assertWellFormedSVG("<svg><g></svg>", "x"), /closes/);
  assert.throws(() => assertWellFormedSVG("<html></html>", "x"), /root element/);
  assert.throws(() => assertWellFormedSVG("<svg><g>a < b</g></svg>", "x"), /stray markup/);
  assert.doesNotThrow(() => assertWellFormedSVG('<?xml version="1.0"?><svg a="1"><g/><text>x &amp; y</text></svg>', "x"));
});

/** Every legend `orient` in a spec (nested layers/facets included). */
function legendOrients(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) x.forEach((v) => legendOrients(v, out));
  else if (x && typeof x === "object") {
    for (const [k, v] of Object.entries(x)) {
      if (k === "legend" && v && typeof v === "object") out.push(String((v as { orient?: string }).orient ?? "right"));
      else legendOrients(v, out);
    }
  }
  return out;
}

function toySamples(): Array<{ name: string; labels: number[]; scores: number[] }> {
  const rng = new Rng(3);
  const labels = Array.from({ length: 600 }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const mk = (sep: number): number[] => labels.map((y) => 1 / (1 + Math.exp(-(sep * (y ? 1 : -1) + rng.normal()))));
  return [{ name: "a", labels, scores: mk(1.2) }, { name: "b", labels, scores: mk(0.6) }];
}

test("rejection figure: log y, one line and one band per classifier, random 1/εS, no unsupported points", () => {
  const samples = toySamples();
  const nB = samples[0].labels.filter((y) => y === 0).length;
  const spec = rejectionSpec(samples, { resamples: 50, seed: 2 });
  const [bandLayer, lineLayer] = spec.layer as Array<{ data: { values: Rows }; encoding: Record<string, { scale?: { type?: string } }> }>;
  assert.equal(lineLayer.encoding.y.scale!.type, "log");
  const lines = lineLayer.data.values;
  assert.deepEqual([...new Set(lines.map((r) => r.model))], ["a", "b", "random (1/εS)"]);
  const random = lines.filter((r) => r.model === "random (1/εS)");
  for (const r of random) assert.ok(Math.abs((r.value as number) - 1 / (r.eff as number)) < 1e-12);
  // A point needs εB·N_B ≥ 10 background events, i.e. 1/εB ≤ N_B/10.
  for (const r of lines.filter((r) => r.model !== "random (1/εS)")) assert.ok((r.value as number) <= nB / 10 + 1e-9, `1/εB ${r.value} at ${r.eff} (N_B ${nB})`);
  for (const r of bandLayer.data.values) assert.ok((r.lo as number) <= (r.hi as number));
  assert.ok(bandLayer.data.values.some((r) => r.model === "a") && bandLayer.data.values.some((r) => r.model === "b"));
  const plotly = spec.usermeta!.plotly!;
  assert.equal(plotly.data.filter((t) => t.fill === "toself").length, 2);
  assert.equal((plotly.layout.yaxis as { type: string }).type, "log");
  assert.match(JSON.stringify(spec.title), /95% bootstrap intervals; points with ≥ 10 background events passing/);
  assert.doesNotThrow(() => toVega(spec));
});

test("SIC band figure: εS/√εB per grid point, max SIC from the supported cuts in the legend", () => {
  const spec = sicBandSpec(toySamples(), { resamples: 30, seed: 2 });
  const lineLayer = (spec.layer as Array<{ data: { values: Rows } }>)[1];
  const names = [...new Set(lineLayer.data.values.map((r) => String(r.model)))];
  assert.match(names[0], /^a \(max SIC \d+\.\d\d\)$/);
  for (const r of lineLayer.data.values.filter((r) => r.model === "random (√εS)")) assert.ok(Math.abs((r.value as number) - Math.sqrt(r.eff as number)) < 1e-12);
  assert.doesNotThrow(() => toVega(spec));
});

test("score distributions: one panel per classifier, unit area per class", () => {
  const samples = toySamples();
  const spec = scoreDistributionsSpec(samples, { bins: 20 });
  const rows = values(spec);
  for (const model of ["a", "b"]) {
    for (const cls of ["signal", "background"]) {
      const area = rows.filter((r) => r.model === model && r.cls === cls).reduce((a, r) => a + ((r.hi as number) - (r.lo as number)) * (r.density as number), 0);
      assert.ok(Math.abs(area - 1) < 1e-12, `${model} ${cls}: area ${area}`);
    }
  }
  assert.equal((spec.facet as { field: string }).field, "model");
  assert.equal(spec.usermeta!.plotly!.data.length, 4);
  assert.doesNotThrow(() => toVega(spec));
});

test("legends sit outside the plot area (never over a curve)", () => {
  const samples = toySamples();
  const inside = ["top-left", "top-right", "bottom-left", "bottom-right"];
  const specs = {
    roc: rocSpec(samples), sic: sicSpec(samples), rejection: rejectionSpec(samples, { resamples: 0 }), sicBand: sicBandSpec(samples, { resamples: 0 }),
    distributions: scoreDistributionsSpec(samples), histogram: scoreHistogramSpec(samples[0]),
  };
  for (const [name, spec] of Object.entries(specs)) {
    for (const o of legendOrients(spec)) assert.ok(!inside.includes(o), `${name}: legend orient ${o} is inside the plot`);
  }
});
