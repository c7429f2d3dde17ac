/**
 * Distributions of one quantity in two samples (e.g. simulated vs real m_jj) as unit-area step
 * histograms on common bins, with the two-sample Kolmogorov–Smirnov distance in the title.
 */
import { ksDistance } from "../metrics/ks";
import { extent, FigureSpec, fmt, histogram, PALETTE, VEGA_LITE_SCHEMA } from "./spec";

export interface NamedSample {
  name: string;
  values: ArrayLike<number>;
}

export function overlaySpec(
  a: NamedSample,
  b: NamedSample,
  opts: { quantity: string; bins?: number; range?: [number, number]; title?: string; logY?: boolean },
): FigureSpec {
  const bins = opts.bins ?? 40;
  const [lo, hi] = opts.range ?? extent([a.values, b.values]);
  const ks = ksDistance(a.values, b.values);
  const rows: Array<{ sample: string; x: number; density: number }> = [];
  const traces: Array<Record<string, unknown>> = [];
  [a, b].forEach((s, k) => {
    const h = histogram(s.values, bins, lo, hi);
    // Step outline: each bin's height from its left edge, closed at the last edge.
    const ys = [...h.heights, h.heights[h.heights.length - 1]];
    h.edges.forEach((x, i) => rows.push({ sample: s.name, x, density: ys[i] }));
    traces.push({ type: "scatter", mode: "lines", name: `${s.name} (${s.values.length})`, x: h.edges, y: ys, line: { shape: "hv", color: PALETTE[k] } });
  });
  const title = `${opts.title ?? `${opts.quantity}: ${a.name} vs ${b.name}`} — KS distance ${fmt(ks)}`;
  const yTitle = "density (unit area)";
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 400,
    height: 260,
    data: { values: rows },
    mark: { type: "line", interpolate: "step-after" },
    encoding: {
      x: { field: "x", type: "quantitative", title: opts.quantity, scale: { domain: [lo, hi], nice: false } },
      y: { field: "density", type: "quantitative", title: yTitle, scale: opts.logY ? { type: "symlog" } : {} },
      color: { field: "sample", type: "nominal", title: null, scale: { domain: [a.name, b.name], range: PALETTE.slice(0, 2) }, legend: { labelLimit: 300 } },
    },
    usermeta: {
      ksDistance: ks,
      plotly: { data: traces, layout: { title: { text: title }, xaxis: { title: { text: opts.quantity } }, yaxis: { title: { text: yTitle }, type: opts.logY ? "log" : "linear" } } },
    },
  };
}
