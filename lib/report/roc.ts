/**
 * ROC curves of several classifiers overlaid, with the random classifier's diagonal:
 * x = background efficiency εB (false-positive rate), y = signal efficiency εS (true-positive rate).
 */
import { auc, rocCurve } from "../metrics/roc";
import { FigureSpec, fmt, PALETTE, REFERENCE_GREY, thin, VEGA_LITE_SCHEMA } from "./spec";

/** One classifier's output on a labelled sample (labels 1 = signal; scores P(signal)). */
export interface ScoredSample {
  name: string;
  labels: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/** Points per curve kept in the figure (the curve is thinned evenly beyond this). */
const MAX_POINTS = 500;

export function rocSpec(curves: ScoredSample[], opts: { title?: string } = {}): FigureSpec {
  const rows: Array<{ model: string; i: number; fpr: number; tpr: number }> = [];
  const names: string[] = [];
  const traces: Array<Record<string, unknown>> = [];
  curves.forEach((c, k) => {
    const r = rocCurve(c.labels, c.scores);
    const name = `${c.name} (AUC ${fmt(auc(c.labels, c.scores))})`;
    names.push(name);
    const pts = thin(r.fpr.map((f, i) => ({ fpr: f, tpr: r.tpr[i] })), MAX_POINTS);
    pts.forEach((p, i) => rows.push({ model: name, i, fpr: p.fpr, tpr: p.tpr }));
    traces.push({ type: "scatter", mode: "lines", name, x: pts.map((p) => p.fpr), y: pts.map((p) => p.tpr), line: { color: PALETTE[k % PALETTE.length] } });
  });
  const random = "random (AUC 0.500)";
  rows.push({ model: random, i: 0, fpr: 0, tpr: 0 }, { model: random, i: 1, fpr: 1, tpr: 1 });
  traces.push({ type: "scatter", mode: "lines", name: random, x: [0, 1], y: [0, 1], line: { color: REFERENCE_GREY, dash: "dash" } });
  const title = opts.title ?? "ROC curves";
  const xTitle = "background efficiency εB (false-positive rate)";
  const yTitle = "signal efficiency εS (true-positive rate)";
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 380,
    height: 380,
    data: { values: rows },
    mark: { type: "line", clip: true },
    encoding: {
      x: { field: "fpr", type: "quantitative", title: xTitle, scale: { domain: [0, 1] } },
      y: { field: "tpr", type: "quantitative", title: yTitle, scale: { domain: [0, 1] } },
      color: {
        field: "model",
        type: "nominal",
        title: null,
        scale: { domain: [...names, random], range: [...names.map((_, k) => PALETTE[k % PALETTE.length]), REFERENCE_GREY] },
        legend: { orient: "bottom", direction: "vertical", labelLimit: 0 }, // below the plot: never over a curve
      },
      strokeDash: { condition: { test: `datum.model === '${random}'`, value: [4, 4] }, value: [1, 0] },
      order: { field: "i", type: "quantitative" },
    },
    usermeta: {
      plotly: {
        data: traces,
        layout: {
          title: { text: title },
          xaxis: { title: { text: xTitle }, range: [0, 1] },
          yaxis: { title: { text: yTitle }, range: [0, 1] },
          legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top" },
        },
      },
    },
  };
}
