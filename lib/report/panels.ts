/**
 * Figures side by side in one picture (e.g. real vs simulated, signal vs background event): a
 * vega-lite `hconcat` of the panels, and for the interactive HTML the panels' plotly traces as
 * subplots on one row. Each panel keeps its own colour and size scales (and legend) unless
 * `shareScales` is set.
 */
import { FigureSpec, PlotlyFigure, titleOf, VEGA_LITE_SCHEMA } from "./spec";

/** Horizontal gap between plotly subplots, as a fraction of the page width. */
const GAP = 0.06;

function plotlyPanels(panels: FigureSpec[], title: string): PlotlyFigure | undefined {
  const figs = panels.map((p) => p.usermeta?.plotly);
  if (figs.some((f) => f === undefined)) return undefined;
  const n = panels.length;
  const data: Array<Record<string, unknown>> = [];
  const layout: Record<string, unknown> = { title: { text: title }, annotations: [] as unknown[], shapes: [] as unknown[] };
  const named = new Set<string>();
  figs.forEach((fig, k) => {
    const s = k === 0 ? "" : String(k + 1);
    const lo = k / n + (k > 0 ? GAP / 2 : 0);
    const hi = (k + 1) / n - (k < n - 1 ? GAP / 2 : 0);
    const own = fig!.layout;
    layout[`xaxis${s}`] = { ...(own.xaxis as object), domain: [lo, hi], anchor: `y${s}` };
    layout[`yaxis${s}`] = { ...(own.yaxis as object), anchor: `x${s}` };
    for (const t of fig!.data) {
      // One legend entry per name: later panels' traces of the same name join the first's group.
      const name = typeof t.name === "string" ? t.name : "";
      data.push({ ...t, xaxis: `x${s}`, yaxis: `y${s}`, legendgroup: name, showlegend: !named.has(name) });
      named.add(name);
    }
    for (const sh of (own.shapes as Array<Record<string, unknown>> | undefined) ?? []) {
      (layout.shapes as unknown[]).push({ ...sh, xref: `x${s}`, yref: `y${s}` });
    }
    (layout.annotations as unknown[]).push({
      text: titleOf(panels[k]), x: (lo + hi) / 2, y: 1, xref: "paper", yref: "paper", xanchor: "center", yanchor: "bottom", showarrow: false,
    });
  });
  return { data, layout };
}

/** The panels in one row, titled `title`; each panel is a spec from any builder in lib/report. */
export function sideBySideSpec(panels: FigureSpec[], opts: { title?: string; shareScales?: boolean } = {}): FigureSpec {
  if (panels.length === 0) throw new Error("sideBySideSpec: no panels");
  const title = opts.title ?? panels.map(titleOf).filter((t) => t).join(" | ");
  // Inner specs must not carry $schema or the plotly copy (vega-lite would reject or ignore them).
  const inner = panels.map((p) => {
    const { $schema: _schema, usermeta: _meta, ...rest } = p;
    return rest;
  });
  const spec: FigureSpec = { $schema: VEGA_LITE_SCHEMA, title, hconcat: inner };
  if (!opts.shareScales) {
    spec.resolve = {
      scale: { color: "independent", size: "independent", strokeDash: "independent" },
      legend: { color: "independent", size: "independent", strokeDash: "independent" },
    };
  }
  const plotly = plotlyPanels(panels, title);
  if (plotly) spec.usermeta = { plotly };
  return spec;
}
