/**
 * A figure of curves with shaded bootstrap bands, one colour per classifier, x = signal efficiency
 * εS, plus a dashed reference curve (the random classifier). Shared by the rejection and SIC
 * figures. The legend sits below the plot, outside it, so it never covers a curve.
 */
import type { EfficiencyBand } from "../metrics/bands";
import { FigureSpec, PALETTE, REFERENCE_GREY, VEGA_LITE_SCHEMA } from "./spec";

export interface BandCurve {
  /** Legend name of the classifier. */
  name: string;
  band: EfficiencyBand;
}

export interface BandFigureOptions {
  title: string;
  yTitle: string;
  /** Log scale on y (rejection). */
  logY: boolean;
  /** Reference curve (e.g. the random classifier) and its legend name. */
  reference: { name: string; eff: number[]; value: number[] };
  /** A line under the title (e.g. the interval level and the support rule). */
  subtitle?: string;
}

/** "#4c78a8" → "rgba(76,120,168,0.2)" for plotly's band fill. */
export function rgba(hex: string, alpha: number): string {
  const v = parseInt(hex.slice(1), 16);
  return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${alpha})`;
}

const BAND_OPACITY = 0.2;

export function bandFigure(curves: BandCurve[], o: BandFigureOptions): FigureSpec {
  const lines: Array<{ model: string; eff: number; value: number }> = [];
  const bands: Array<{ model: string; eff: number; lo: number; hi: number }> = [];
  const traces: Array<Record<string, unknown>> = [];
  const names = curves.map((c) => c.name);
  curves.forEach((c, k) => {
    const colour = PALETTE[k % PALETTE.length];
    const b = c.band;
    const pts = b.eff.map((e, i) => ({ eff: e, value: b.value[i], lo: b.lo[i], hi: b.hi[i] })).filter((p) => Number.isFinite(p.value));
    const banded = pts.filter((p) => Number.isFinite(p.lo) && Number.isFinite(p.hi));
    pts.forEach((p) => lines.push({ model: c.name, eff: p.eff, value: p.value }));
    banded.forEach((p) => bands.push({ model: c.name, eff: p.eff, lo: p.lo, hi: p.hi }));
    if (banded.length > 0) {
      traces.push({
        type: "scatter", mode: "lines", name: `${c.name} band`, legendgroup: c.name, showlegend: false, hoverinfo: "skip",
        x: [...banded.map((p) => p.eff), ...banded.map((p) => p.eff).reverse()],
        y: [...banded.map((p) => p.hi), ...banded.map((p) => p.lo).reverse()],
        fill: "toself", fillcolor: rgba(colour, BAND_OPACITY), line: { width: 0 },
      });
    }
    traces.push({ type: "scatter", mode: "lines", name: c.name, legendgroup: c.name, x: pts.map((p) => p.eff), y: pts.map((p) => p.value), line: { color: colour } });
  });
  const ref = o.reference;
  ref.eff.forEach((e, i) => lines.push({ model: ref.name, eff: e, value: ref.value[i] }));
  traces.push({ type: "scatter", mode: "lines", name: ref.name, x: ref.eff, y: ref.value, line: { color: REFERENCE_GREY, dash: "dash" } });
  const xTitle = "signal efficiency εS";
  const colour = {
    field: "model",
    type: "nominal",
    title: null,
    scale: { domain: [...names, ref.name], range: [...names.map((_, k) => PALETTE[k % PALETTE.length]), REFERENCE_GREY] },
    legend: { orient: "bottom", direction: "vertical", labelLimit: 0 },
  };
  const yScale = o.logY ? { type: "log" } : { zero: true };
  const x = { field: "eff", type: "quantitative", title: xTitle, scale: { domain: [0, 1] } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: o.subtitle ? { text: o.title, subtitle: o.subtitle } : o.title,
    width: 400,
    height: 300,
    resolve: { scale: { fill: "independent" }, legend: { fill: "independent" } },
    layer: [
      {
        data: { values: bands },
        mark: { type: "area", opacity: BAND_OPACITY, clip: true },
        // Bands fill by the same colours on their own channel, without a legend: the legend shows the
        // line layer's line symbols, not the pale band.
        encoding: { x, y: { field: "lo", type: "quantitative", title: o.yTitle, scale: yScale }, y2: { field: "hi" }, fill: { ...colour, legend: null } },
      },
      {
        data: { values: lines },
        mark: { type: "line", clip: true },
        encoding: {
          x,
          y: { field: "value", type: "quantitative", title: o.yTitle, scale: yScale },
          color: colour,
          strokeDash: { condition: { test: `datum.model === ${JSON.stringify(ref.name)}`, value: [4, 4] }, value: [1, 0] },
          order: { field: "eff", type: "quantitative" },
        },
      },
    ],
    usermeta: {
      plotly: {
        data: traces,
        layout: {
          title: { text: o.subtitle ? `${o.title}<br><sub>${o.subtitle}</sub>` : o.title },
          xaxis: { title: { text: xTitle }, range: [0, 1] },
          yaxis: { title: { text: o.yTitle }, type: o.logY ? "log" : "linear" },
          legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top" },
        },
      },
    },
  };
}
