/**
 * Interactive HTML figures with plotly. One copy of plotly.js is written per output folder and
 * every HTML file there loads it by relative path, instead of embedding ~10 MB in each file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import type { PlotlyFigure } from "./spec";

/** The plotly bundle's file name inside an output folder. */
export const PLOTLY_ASSET = "plotly.js";

/** Copies plotly.js into `dir` unless an identical-size copy is there; returns its path. */
export function ensurePlotly(dir: string): string {
  const source = require.resolve("plotly.js-dist/plotly.js");
  const target = path.join(dir, PLOTLY_ASSET);
  if (!fs.existsSync(target) || fs.statSync(target).size !== fs.statSync(source).size) {
    writeFileAtomic(target, fs.readFileSync(source));
  }
  return target;
}

/** Text made safe for HTML element content (not for attribute values: quotes stay). */
export const escapeHTML = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The HTML page of a plotly figure, loading plotly from `plotlySrc` (relative URL). */
export function plotlyHTML(fig: PlotlyFigure, title: string, plotlySrc = PLOTLY_ASSET): string {
  // "</" inside the JSON would end the script element early.
  const json = (x: unknown): string => JSON.stringify(x).replace(/<\//g, "<\\/");
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>${escapeHTML(title)}</title>
<script src="${plotlySrc}"></script>
</head>
<body style="margin:0">
<div id="figure" style="width:100%;height:95vh"></div>
<script>
Plotly.newPlot("figure", ${json(fig.data)}, ${json(fig.layout)}, { responsive: true });
</script>
</body>
</html>
`;
}

/** Writes `<dir>/<name>.html` for a plotly figure (and plotly.js beside it); returns the path. */
export function writePlotlyHTML(fig: PlotlyFigure, dir: string, name: string, title: string): string {
  ensurePlotly(dir);
  const file = path.join(dir, `${name}.html`);
  writeFileAtomic(file, plotlyHTML(fig, title));
  return file;
}
