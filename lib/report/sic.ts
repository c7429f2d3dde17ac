/**
 * Significance-improvement curves SIC(εS) = εS/√εB of several classifiers, over the cuts keeping at
 * least `minBackground` background events, with the random classifier's √εS for reference.
 */
import { BandOptions, DEFAULT_GRID, efficiencyBands } from "../metrics/bands";
import { binaryCurve } from "../metrics/roc";
import { sicCurve, supportedMaxSic } from "../metrics/significance";
import { MIN_BACKGROUND_SIC } from "../metrics/support";
import { bandFigure } from "./band";
import type { ScoredSample } from "./roc";
import { FigureSpec, fmt, PALETTE, REFERENCE_GREY, thin, VEGA_LITE_SCHEMA } from "./spec";

const MAX_POINTS = 500;

export function sicSpec(curves: ScoredSample[], opts: { minBackground?: number; title?: string } = {}): FigureSpec {
  const minBackground = opts.minBackground ?? MIN_BACKGROUND_SIC;
  const rows: Array<{ model: string; i: number; eff: number; sic: number }> = [];
  const names: string[] = [];
  const traces: Array<Record<string, unknown>> = [];
  curves.forEach((c, k) => {
    const s = sicCurve(c.labels, c.scores, minBackground);
    const name = `${c.name} (max SIC ${fmt(supportedMaxSic(binaryCurve(c.labels, c.scores), minBackground).value, 2)})`;
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
        legend: { orient: "bottom", direction: "vertical", labelLimit: 0 },
      },
      strokeDash: { condition: { test: `datum.model === '${random}'`, value: [4, 4] }, value: [1, 0] },
      order: { field: "i", type: "quantitative" },
    },
    usermeta: {
      plotly: {
        data: traces,
        layout: { title: { text: title }, xaxis: { title: { text: xTitle }, range: [0, 1] }, yaxis: { title: { text: yTitle } }, legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top" } },
      },
    },
  };
}

/**
 * SIC = εS/√εB against εS on a grid, one curve per classifier with its bootstrap band, and the
 * random classifier's √εS; points keeping fewer than MIN_BACKGROUND_SIC background events are left out.
 */
export function sicBandSpec(samples: ScoredSample[], opts: BandOptions & { title?: string } = {}): FigureSpec {
  const bands = samples.map((s) => {
    const best = supportedMaxSic(binaryCurve(s.labels, s.scores), opts.minBackground ?? MIN_BACKGROUND_SIC).value;
    return { name: `${s.name} (max SIC ${fmt(best, 2)})`, all: efficiencyBands(s.labels, s.scores, opts) };
  });
  const level = bands[0]?.all.level ?? opts.level ?? 0.95;
  const minB = bands[0]?.all.minBackground.sic;
  const grid = opts.grid ?? DEFAULT_GRID;
  return bandFigure(
    bands.map((b) => ({ name: b.name, band: b.all.sic })),
    {
      title: opts.title ?? "Significance improvement",
      subtitle: `bands: ${Math.round(level * 100)}% bootstrap intervals; points with ≥ ${minB} background events passing`,
      yTitle: "SIC = εS / √εB",
      logY: false,
      reference: { name: "random (√εS)", eff: grid, value: grid.map(Math.sqrt) },
    },
  );
}
