/**
 * Exporting a figure: `<dir>/<name>.svg`, `.png` and, when the spec carries a plotly copy,
 * `.html`; each is recorded in `<dir>/manifest.json`. Name files after what they show.
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import { PLOTLY_ASSET, writePlotlyHTML } from "./html";
import { checkExportName, ManifestEntry, recordExports } from "./manifest";
import { renderSVG, svgToPNG } from "./render";
import { FigureSpec, titleOf } from "./spec";

export interface ExportedFigure {
  svg: string;
  png: string;
  html?: string;
}

/** Renders and writes one figure in every format; returns the file paths. */
export async function exportFigure(spec: FigureSpec, dir: string, name: string): Promise<ExportedFigure> {
  checkExportName(name);
  const title = titleOf(spec) || name;
  const svgText = await renderSVG(spec);
  const out: ExportedFigure = { svg: path.join(dir, `${name}.svg`), png: path.join(dir, `${name}.png`) };
  writeFileAtomic(out.svg, svgText);
  writeFileAtomic(out.png, svgToPNG(svgText));
  const entries: Array<Omit<ManifestEntry, "bytes" | "time">> = [
    { file: `${name}.svg`, name, kind: "figure", format: "svg", title },
    { file: `${name}.png`, name, kind: "figure", format: "png", title },
  ];
  const plotly = spec.usermeta?.plotly;
  if (plotly) {
    out.html = writePlotlyHTML(plotly, dir, name, title);
    entries.push({ file: `${name}.html`, name, kind: "figure", format: "html", title });
    entries.push({ file: PLOTLY_ASSET, name: "plotly", kind: "asset", format: "js", title: "plotly.js (shared by the HTML figures)" });
  }
  recordExports(dir, entries);
  return out;
}
