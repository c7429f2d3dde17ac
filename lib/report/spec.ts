/**
 * The figure type shared by the plot builders: a vega-lite spec (rendered headless to SVG/PNG)
 * that carries, in `usermeta.plotly`, the same picture as a plotly figure for the interactive HTML.
 * Kept as loose records so lib/ compiles without vega-lite's (large) type declarations.
 */

/** A plotly figure: traces and layout, as passed to Plotly.newPlot. */
export interface PlotlyFigure {
  data: Array<Record<string, unknown>>;
  layout: Record<string, unknown>;
}

/** A vega-lite v5 top-level spec. */
export interface FigureSpec {
  $schema?: string;
  title?: string | Record<string, unknown>;
  usermeta?: { plotly?: PlotlyFigure; [key: string]: unknown };
  [key: string]: unknown;
}

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Tableau-10, vega's default categorical palette; plotly traces use the same colours. */
export const PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"];
/** Fixed class colours so signal/background look the same in every figure. */
export const CLASS_COLOURS = { signal: "#e45756", background: "#4c78a8" };
export const REFERENCE_GREY = "#888888";

/** Plain-text title of a spec (for file listings). */
export function titleOf(spec: FigureSpec): string {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}

/** Every k-th element (always keeping the first and last) so a curve has at most `max` points. */
export function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = (xs.length - 1) / (max - 1);
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(xs[Math.round(k * step)]);
  return out;
}

/** Equal-width histogram on [lo, hi] (values outside are clipped into the end bins). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number, density = true): { edges: number[]; heights: number[] } {
  if (!(hi > lo)) hi = lo + 1;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
    n++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  const heights = density ? counts.map((c) => (n === 0 ? 0 : c / (n * width))) : counts;
  return { edges, heights };
}

/** Smallest and largest finite value over several samples. */
export function extent(samples: Array<ArrayLike<number>>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of samples) {
    for (let i = 0; i < s.length; i++) {
      if (!Number.isFinite(s[i])) continue;
      lo = Math.min(lo, s[i]);
      hi = Math.max(hi, s[i]);
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** A number for a legend or title: 3 significant decimals, ∞ for Infinity. */
export function fmt(x: number, digits = 3): string {
  if (x === Infinity) return "∞";
  if (Number.isNaN(x)) return "n/a";
  return x.toFixed(digits);
}
