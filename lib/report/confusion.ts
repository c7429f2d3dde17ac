/**
 * Confusion-matrix heatmap: true class down, predicted class across, each cell with its count and
 * its fraction of the true class (the recall / miss rate).
 */
import type { Confusion } from "../metrics/confusion";
import { FigureSpec, VEGA_LITE_SCHEMA } from "./spec";

export function confusionSpec(c: Confusion, opts: { title?: string } = {}): FigureSpec {
  const nS = c.tp + c.fn;
  const nB = c.tn + c.fp;
  const frac = (k: number, n: number): number => (n === 0 ? 0 : k / n);
  const cells = [
    { truth: "signal", predicted: "signal", count: c.tp, fraction: frac(c.tp, nS) },
    { truth: "signal", predicted: "background", count: c.fn, fraction: frac(c.fn, nS) },
    { truth: "background", predicted: "signal", count: c.fp, fraction: frac(c.fp, nB) },
    { truth: "background", predicted: "background", count: c.tn, fraction: frac(c.tn, nB) },
  ].map((d) => ({ ...d, text: `${d.count} (${(100 * d.fraction).toFixed(1)}%)` }));
  const order = ["signal", "background"];
  const title = opts.title ?? "Confusion matrix";
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 220,
    height: 220,
    data: { values: cells },
    encoding: {
      x: { field: "predicted", type: "nominal", sort: order, title: "predicted class", axis: { labelAngle: 0 } },
      y: { field: "truth", type: "nominal", sort: order, title: "true class" },
    },
    layer: [
      { mark: "rect", encoding: { color: { field: "fraction", type: "quantitative", title: "row fraction", scale: { domain: [0, 1], scheme: "blues" } } } },
      {
        mark: { type: "text", fontSize: 13 },
        encoding: { text: { field: "text" }, color: { condition: { test: "datum.fraction > 0.5", value: "white" }, value: "black" } },
      },
    ],
    usermeta: {
      plotly: {
        data: [
          {
            type: "heatmap",
            x: order,
            y: order,
            z: order.map((t) => order.map((p) => cells.find((d) => d.truth === t && d.predicted === p)!.fraction)),
            text: order.map((t) => order.map((p) => cells.find((d) => d.truth === t && d.predicted === p)!.text)),
            texttemplate: "%{text}",
            colorscale: "Blues",
            zmin: 0,
            zmax: 1,
          },
        ],
        layout: { title: { text: title }, xaxis: { title: { text: "predicted class" } }, yaxis: { title: { text: "true class" }, autorange: "reversed" } },
      },
    },
  };
}
