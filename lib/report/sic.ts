/**
 * Significance-improvement curves SIC(εS) = εS/√εB of several classifiers, over the cuts keeping at
 * least `minBackground` background events, with the random classifier's √εS for reference.
 */
import { maxSic, sicCurve } from "../metrics/significance";
import type { ScoredSample } from "./roc";
import { FigureSpec, fmt, PALETTE, REFERENCE_GREY, thin, VEGA_LITE_SCHEMA } from "./spec";

const MAX_POINTS = 500;

export function sicSpec(curves: ScoredSample[], opts: { minBackground?: number; title?: string } = {}): FigureSpec {
  const minBackground = opts.minBackground ?? 50;
  const rows: Array<{ model: string; i: number; eff: number; sic: number }> = [];
  const names: string[] = [];
  const traces: Array<Record<string, unknown>> = [];
  curves.forEach((c, k) => {
    const s = sicCurve(c.labels, c.scores, minBackground);
    const name = `${c.name} (max SIC ${fmt(maxSic(s).sic, 2)})`;
    names.push(name);
    // Curves run from tight cuts (low εS) to loose ones; thin in that order.
    const pts = thin(s.eff.map((e, i) => ({ eff: e, sic: s.sic[i] })), MAX_POINTS);
    pts.forEach((p, i) => rows.push({ model: name, i, eff: p.eff, sic: p.sic }));
    traces.push({ type: "scatter", mode: "lines", name, x: pts.map((p) => p.eff), y: pts.map((p) => p.sic), line: { color: PALETTE[k % PALETTE.length] } });
  });
  const random = "random (√εS)";
  const grid = Array.from({ length: 51 }, (_, i) => i / 50);
  grid.forEach((e, i) => rows.push({ model: random, i, eff: e, sic: Math.sqrt(e) }));
  traces.push({ type: "scatter", mode: "lines", name: random, x: grid, y: grid.map(Math.sqrt), line: { color: REFERENCE_GREY, dash: "dash" } });
  const title = opts.title ?? `Significance improvement (cuts keeping ≥ ${minBackground} background events)`;
  const xTitle = "signal efficiency εS";
  const yTitle = "SIC = εS / √εB";
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 380,
    height: 300,
    data: { values: rows },
    mark: { type: "line" },
    encoding: {
      x: { field: "eff", type: "quantitative", title: xTitle, scale: { domain: [0, 1] } },
      y: { field: "sic", type: "quantitative", title: yTitle },
      color: {
        field: "model",
        type: "nominal",
        title: null,
        scale: { domain: [...names, random], range: [...names.map((_, k) => PALETTE[k % PALETTE.length]), REFERENCE_GREY] },
        legend: { labelLimit: 0 },
      },
      strokeDash: { condition: { test: `datum.model === '${random}'`, value: [4, 4] }, value: [1, 0] },
      order: { field: "i", type: "quantitative" },
    },
    usermeta: {
      plotly: { data: traces, layout: { title: { text: title }, xaxis: { title: { text: xTitle }, range: [0, 1] }, yaxis: { title: { text: yTitle } } } },
    },
  };
}
