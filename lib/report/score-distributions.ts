/**
 * Score distributions per true class for several classifiers on one test set: one panel per
 * classifier (wrapped in rows of `columns`), signal and background each normalised to unit area,
 * on common bins over [0, 1] (scores are P(signal)). The class legend sits below the panels.
 */
import { checkLabelsScores } from "../metrics/check";
import type { ScoredSample } from "./roc";
import { CLASS_COLOURS, FigureSpec, histogram, VEGA_LITE_SCHEMA } from "./spec";

export function scoreDistributionsSpec(samples: ScoredSample[], opts: { bins?: number; title?: string; columns?: number } = {}): FigureSpec {
  if (samples.length === 0) throw new Error("scoreDistributionsSpec: no classifiers");
  const bins = opts.bins ?? 25;
  const columns = Math.min(opts.columns ?? 3, samples.length);
  const rows: Array<{ model: string; cls: string; lo: number; hi: number; density: number }> = [];
  const traces: Array<Record<string, unknown>> = [];
  const rowsOfPanels = Math.ceil(samples.length / columns);
  samples.forEach((s, k) => {
    checkLabelsScores(s.labels, s.scores, `scoreDistributionsSpec (${s.name})`);
    const byClass = { signal: [] as number[], background: [] as number[] };
    for (let i = 0; i < s.labels.length; i++) (s.labels[i] === 1 ? byClass.signal : byClass.background).push(s.scores[i]);
    const axis = k === 0 ? "" : String(k + 1);
    for (const cls of ["background", "signal"] as const) {
      const h = histogram(byClass[cls], bins, 0, 1);
      h.heights.forEach((d, b) => rows.push({ model: s.name, cls, lo: h.edges[b], hi: h.edges[b + 1], density: d }));
      traces.push({
        type: "bar", name: cls, legendgroup: cls, showlegend: k === 0, xaxis: `x${axis}`, yaxis: `y${axis}`,
        x: h.edges.slice(0, -1).map((e, b) => (e + h.edges[b + 1]) / 2), y: h.heights, width: 1 / bins, opacity: 0.55,
        marker: { color: CLASS_COLOURS[cls] }, hovertemplate: `${s.name} ${cls} (${byClass[cls].length})<extra></extra>`,
      });
    }
  });
  const title = opts.title ?? "Score distributions by true class";
  const xTitle = "score P(signal)";
  const yTitle = "density (unit area per class)";
  const layout: Record<string, unknown> = {
    title: { text: title },
    barmode: "overlay",
    grid: { rows: rowsOfPanels, columns, pattern: "independent" },
    legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" },
    annotations: samples.map((s, k) => ({
      text: s.name, showarrow: false, xref: `x${k === 0 ? "" : k + 1} domain`, yref: `y${k === 0 ? "" : k + 1} domain`, x: 0.5, y: 1.08, xanchor: "center",
    })),
  };
  samples.forEach((_, k) => {
    const axis = k === 0 ? "" : String(k + 1);
    layout[`xaxis${axis}`] = { title: { text: xTitle }, range: [0, 1] };
    layout[`yaxis${axis}`] = { title: { text: yTitle } };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    data: { values: rows },
    facet: { field: "model", type: "nominal", title: null, sort: samples.map((s) => s.name), header: { labelFontSize: 12, labelLimit: 0 } },
    columns,
    spec: {
      width: 260,
      height: 180,
      mark: { type: "bar", opacity: 0.55, binSpacing: 0 },
      encoding: {
        x: { field: "lo", type: "quantitative", title: xTitle, scale: { domain: [0, 1] } },
        x2: { field: "hi" },
        y: { field: "density", type: "quantitative", title: yTitle, stack: null },
        y2: { datum: 0 },
        color: {
          field: "cls", type: "nominal", title: "true class",
          scale: { domain: ["background", "signal"], range: [CLASS_COLOURS.background, CLASS_COLOURS.signal] },
          legend: { orient: "bottom", direction: "horizontal" },
        },
      },
    },
    resolve: { scale: { y: "independent" } },
    usermeta: { plotly: { data: traces, layout } },
  };
}
