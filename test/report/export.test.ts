import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  confusionSpec,
  eventDisplaySpec,
  exportFigure,
  lossCurveSpec,
  manifestMarkdown,
  overlaySpec,
  PLOTLY_ASSET,
  readManifest,
  rejectionSpec,
  rocSpec,
  scoreDistributionsSpec,
  scoreHistogramSpec,
  sicBandSpec,
  sicSpec,
  writeReportIndex,
} from "../../lib/report";
import type { RunLogEntry } from "../../lib/metrics";
import { Rng } from "../../lib/util/rng";
import { assertWellFormedSVG, pngSize } from "./files";

const rng = new Rng(4);
const labels = Array.from({ length: 600 }, () => (rng.uniform() < 0.5 ? 1 : 0));
const scores = labels.map((y) => 1 / (1 + Math.exp(-(rng.normal() + (y ? 1 : -1)))));
const worse = labels.map((y) => 1 / (1 + Math.exp(-(rng.normal() + (y ? 0.3 : -0.3)))));
const log: RunLogEntry[] = [0, 10, 20, 30].flatMap((step) => [
  { kind: "train" as const, run: "r1", step, epoch: 0, loss: 2 / (1 + step), lr: 1e-4, time: "2026-11-22T00:00:00Z" },
  { kind: "val" as const, run: "r1", step, epoch: 0, loss: 2.2 / (1 + step), time: "2026-11-22T00:00:00Z" },
]);

const figures = {
  "roc-curves": rocSpec([{ name: "model A", labels, scores }, { name: "model B", labels, scores: worse }]),
  "sic-curves": sicSpec([{ name: "model A", labels, scores }], { minBackground: 20 }),
  "score-histogram": scoreHistogramSpec({ name: "model A", labels, scores }),
  "background-rejection": rejectionSpec([{ name: "model A", labels, scores }, { name: "model B", labels, scores: worse }], { resamples: 40 }),
  "sic-bands": sicBandSpec([{ name: "model A", labels, scores }, { name: "model B", labels, scores: worse }], { resamples: 40 }),
  "score-distributions": scoreDistributionsSpec([{ name: "model A", labels, scores }, { name: "model B", labels, scores: worse }]),
  "confusion-matrix": confusionSpec({ tp: 250, fp: 40, tn: 260, fn: 50 }),
  "loss-curves": lossCurveSpec(log),
  "mjj-overlay": overlaySpec({ name: "simulated", values: scores }, { name: "real", values: worse }, { quantity: "score" }),
  "event-display": eventDisplaySpec({ pt: [100, 50, 3], eta: [0.1, 0.2, -1], phi: [1, 1.1, -2], jetIndex: [0, 0, -1], jets: [{ eta: 0.13, phi: 1.03, pt: 150 }] }),
};

test("every figure exports as well-formed SVG, a PNG at twice its size and plotly HTML, listed in the manifest", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-figures-"));
  try {
    for (const [name, spec] of Object.entries(figures)) {
      const out = await exportFigure(spec, dir, name);
      assert.equal(out.svg, path.join(dir, `${name}.svg`));
      const svg = fs.readFileSync(out.svg, "utf8");
      assertWellFormedSVG(svg, out.svg);
      const w = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)![1]);
      const h = Number(/<svg[^>]*\sheight="(\d+)"/.exec(svg)![1]);
      assert.deepEqual(pngSize(out.png), { width: 2 * w, height: 2 * h }, name);
      const html = fs.readFileSync(out.html!, "utf8");
      assert.match(html, new RegExp(`<script src="${PLOTLY_ASSET}"></script>`));
      assert.ok(html.length < 200_000, `${name}.html embeds too much (${html.length} bytes)`);
      assert.match(html, /Plotly\.newPlot\("figure", \[/);
    }
    // One shared plotly bundle, identical to the package's.
    const bundle = require.resolve("plotly.js-dist/plotly.js");
    assert.equal(fs.statSync(path.join(dir, PLOTLY_ASSET)).size, fs.statSync(bundle).size);
    const listed = new Set(readManifest(dir).map((e) => e.file));
    for (const f of fs.readdirSync(dir)) if (f !== "manifest.json") assert.ok(listed.has(f), `${f} is not in the manifest`);
    assert.equal(listed.size, fs.readdirSync(dir).length - 1);
    for (const e of readManifest(dir)) assert.equal(e.bytes, fs.statSync(path.join(dir, e.file)).size, e.file);
    const md = manifestMarkdown(dir);
    assert.match(md, /\*\*ROC curves\*\* \(figure\): \[html\]\(roc-curves\.html\), \[png\]\(roc-curves\.png\), \[svg\]\(roc-curves\.svg\)/);
    assert.equal(md.split("\n").length, Object.keys(figures).length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("re-exporting replaces the manifest entry; bad names are refused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-figures-"));
  try {
    await exportFigure(figures["confusion-matrix"], dir, "cm");
    await exportFigure(figures["confusion-matrix"], dir, "cm");
    assert.equal(readManifest(dir).filter((e) => e.file === "cm.svg").length, 1);
    await assert.rejects(exportFigure(figures["confusion-matrix"], dir, "../escape"), /export name/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the report index lists the exports of every folder with working relative links", async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-report-"));
  try {
    await exportFigure(figures["confusion-matrix"], path.join(root, "figures"), "confusion-matrix");
    await exportFigure(figures["loss-curves"], path.join(root, "training", "run-1"), "loss-curves");
    const index = fs.readFileSync(writeReportIndex(root), "utf8");
    const links = [...index.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.equal(links.length, 6);
    for (const l of links) assert.ok(fs.existsSync(path.join(root, l)), `${l} does not exist`);
    assert.match(index, /## training\/run-1/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
