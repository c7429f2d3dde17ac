/**
 * Showing figures and tables in a tslab notebook: `await show(spec)` renders the spec to SVG and
 * sends it as image/svg+xml (a light, static output that survives in the committed notebook; no
 * plotly.js inside notebooks). Outside a notebook kernel nothing is displayed and the SVG is returned.
 */
import { renderSVG } from "./render";
import type { FigureSpec } from "./spec";
import { asTable, DataFrameLike, Table, tableHTML } from "./table";

interface TslabDisplay {
  svg(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
}

/** tslab's display API when this process is a tslab kernel executing a cell, else undefined. */
export function notebookDisplay(): TslabDisplay | undefined {
  // Only look for tslab when its kernel module is already loaded: requiring it elsewhere would
  // load a whole TypeScript compiler for nothing.
  const loaded = Object.keys(require.cache).some((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
  if (!loaded) return undefined;
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  if (jupyter.lastWriteDisplayData == null) return undefined;
  return (require("tslab") as { display: TslabDisplay }).display;
}

/**
 * Renders a vega-lite spec (or takes SVG text) and displays it in the notebook. Resolves to
 * nothing, so a cell ending in `await show(spec)` prints no SVG source; use renderSVG for the text.
 */
export async function show(figure: FigureSpec | string): Promise<void> {
  const svg = typeof figure === "string" ? figure : await renderSVG(figure);
  notebookDisplay()?.svg(svg);
}

/** Displays a table (rows or a danfojs DataFrame) as HTML in the notebook. */
export function showTable(table: Table | DataFrameLike, opts: { title?: string; digits?: number } = {}): void {
  const html = tableHTML(asTable(table), opts).replace(/^[\s\S]*<body>\n|<\/body>[\s\S]*$/g, "");
  const style = "<style>.hepllm-table td,.hepllm-table th{text-align:right;padding:2px 8px}</style>";
  const fragment = style + html.replace("<table>", '<table class="hepllm-table">');
  notebookDisplay()?.html(fragment);
}
