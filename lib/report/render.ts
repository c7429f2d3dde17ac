/**
 * Headless rendering of vega-lite specs: vega-lite → vega → View.toSVG (no browser, no canvas;
 * text widths are estimated), and SVG → PNG with resvg using the system fonts.
 * vega and vega-lite are loaded through their CommonJS builds, which also works under tslab.
 */
import type { FigureSpec } from "./spec";

interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (runtime: unknown, opts: { renderer: string }) => { toSVG(scale?: number): Promise<string>; finalize(): void };
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}
interface ResvgModule {
  Resvg: new (svg: string, opts: Record<string, unknown>) => { render(): { asPng(): Uint8Array } };
}

let vega: VegaModule | undefined;
let vegaLite: VegaLiteModule | undefined;
let resvg: ResvgModule | undefined;

/** The spec compiled to a vega spec. */
export function toVega(spec: FigureSpec): unknown {
  vegaLite ??= require("vega-lite") as VegaLiteModule;
  const { usermeta: _drop, ...plain } = spec; // the plotly copy is not needed by vega
  return vegaLite.compile(plain).spec;
}

/** SVG text of a vega-lite spec. */
export async function renderSVG(spec: FigureSpec): Promise<string> {
  vega ??= require("vega") as VegaModule;
  const view = new vega.View(vega.parse(toVega(spec)), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG, at `scale` × its size (2 = sharp on high-density screens). */
export function svgToPNG(svg: string, scale = 2): Uint8Array {
  resvg ??= require("@resvg/resvg-js") as ResvgModule;
  const r = new resvg.Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return r.render().asPng();
}

/** PNG bytes of a vega-lite spec. */
export async function renderPNG(spec: FigureSpec, scale = 2): Promise<Uint8Array> {
  return svgToPNG(await renderSVG(spec), scale);
}
