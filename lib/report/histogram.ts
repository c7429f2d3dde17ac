/**
 * Classifier score distributions per true class (signal, background), each normalised to unit
 * area so that classes of different size compare by shape; the decision cut is marked.
 */
import { checkLabelsScores } from "../metrics/check";
import { CLASS_COLOURS, FigureSpec, histogram, REFERENCE_GREY, VEGA_LITE_SCHEMA } from "./spec";

export function scoreHistogramSpec(
  sample: { name?: string; labels: ArrayLike<number>; scores: ArrayLike<number> },
  opts: { bins?: number; threshold?: number; title?: string } = {},
): FigureSpec {
  checkLabelsScores(sample.labels, sample.scores, "scoreHistogramSpec");
  const bins = opts.bins ?? 25;
  const threshold = opts.threshold ?? 0.5;
  const byClass = { signal: [] as number[], background: [] as number[] };
  for (let i = 0; i < sample.labels.length; i++) (sample.labels[i] === 1 ? byClass.signal : byClass.background).push(sample.scores[i]);
  const rows: Array<{ cls: string; lo: number; hi: number; density: number }> = [];
  const traces: Array<Record<string, unknown>> = [];
  for (const cls of ["background", "signal"] as const) {
    const h = histogram(byClass[cls], bins, 0, 1);
    h.heights.forEach((d, k) => rows.push({ cls: `${cls} (${byClass[cls].length})`, lo: h.edges[k], hi: h.edges[k + 1], density: d }));
    traces.push({
      type: "bar",
      name: `${cls} (${byClass[cls].length})`,
      x: h.edges.slice(0, -1).map((e, k) => (e + h.edges[k + 1]) / 2),
      y: h.heights,
      width: 1 / bins,
      opacity: 0.55,
      marker: { color: CLASS_COLOURS[cls] },
    });
  }
  const title = opts.title ?? `Score distributions${sample.name ? ` — ${sample.name}` : ""}`;
  const xTitle = "score P(signal)";
  const yTitle = "density (unit area per class)";
  const domain = [`background (${byClass.background.length})`, `signal (${byClass.signal.length})`];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 380,
    height: 260,
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", opacity: 0.55, binSpacing: 0 },
        encoding: {
          x: { field: "lo", type: "quantitative", title: xTitle, scale: { domain: [0, 1] } },
          x2: { field: "hi" },
          y: { field: "density", type: "quantitative", title: yTitle, stack: null },
          y2: { datum: 0 },
          color: { field: "cls", type: "nominal", title: null, scale: { domain, range: [CLASS_COLOURS.background, CLASS_COLOURS.signal] } },
        },
      },
      {
        data: { values: [{ cut: threshold }] },
        mark: { type: "rule", strokeDash: [4, 4], color: REFERENCE_GREY },
        encoding: { x: { field: "cut", type: "quantitative" } },
      },
    ],
    usermeta: {
      plotly: {
        data: traces,
        layout: {
          title: { text: title },
          barmode: "overlay",
          xaxis: { title: { text: xTitle }, range: [0, 1] },
          yaxis: { title: { text: yTitle } },
          shapes: [{ type: "line", x0: threshold, x1: threshold, yref: "paper", y0: 0, y1: 1, line: { dash: "dash", color: REFERENCE_GREY } }],
        },
      },
    },
  };
}
