/**
 * Event display in the η–φ plane: particles as discs with area proportional to pT, jets as their
 * axis (cross) and a circle of radius R around it. φ in radians, axes fixed to the detector range.
 */
import { FigureSpec, PALETTE, VEGA_LITE_SCHEMA } from "./spec";

export interface DisplayJet {
  eta: number;
  phi: number;
  /** Jet pT [GeV], shown in the label. */
  pt?: number;
  /** Circle radius in η–φ (default: the display's R). */
  R?: number;
}

export interface EventDisplayInput {
  /** Particle pT [GeV], η, φ [rad] (same length). */
  pt: ArrayLike<number>;
  eta: ArrayLike<number>;
  phi: ArrayLike<number>;
  /** Index of each particle's jet (−1 or absent: not clustered), for colouring. */
  jetIndex?: ArrayLike<number>;
  jets?: DisplayJet[];
  title?: string;
}

/** |η| range of the plot (LHCO particles lie within |η| < 2.5 or so; circles may reach further). */
const ETA_MAX = 4;

export function eventDisplaySpec(ev: EventDisplayInput, opts: { R?: number } = {}): FigureSpec {
  const R = opts.R ?? 1.0;
  if (ev.eta.length !== ev.pt.length || ev.phi.length !== ev.pt.length) {
    throw new Error(`eventDisplaySpec: pt, eta, phi lengths differ (${ev.pt.length}, ${ev.eta.length}, ${ev.phi.length})`);
  }
  const jets = ev.jets ?? [];
  // Without jet membership every particle is drawn alike ("particles"), darker for contrast.
  const rest = ev.jetIndex ? "unclustered" : "particles";
  const groupOf = (i: number): string => {
    const j = ev.jetIndex ? ev.jetIndex[i] : -1;
    return j >= 0 ? `jet ${j + 1}` : rest;
  };
  const particles = Array.from({ length: ev.pt.length }, (_, i) => ({ eta: ev.eta[i], phi: ev.phi[i], pt: ev.pt[i], group: groupOf(i) }));
  const groups = [...jets.map((_, k) => `jet ${k + 1}`), rest];
  const colours = [...jets.map((_, k) => PALETTE[k % PALETTE.length]), ev.jetIndex ? "#bbbbbb" : "#666666"];
  const circle: Array<{ jet: string; i: number; eta: number; phi: number }> = [];
  jets.forEach((j, k) => {
    const r = j.R ?? R;
    for (let i = 0; i <= 72; i++) {
      const a = (2 * Math.PI * i) / 72;
      circle.push({ jet: `jet ${k + 1}`, i, eta: j.eta + r * Math.cos(a), phi: j.phi + r * Math.sin(a) });
    }
  });
  const axes = jets.map((j, k) => ({ jet: `jet ${k + 1}`, eta: j.eta, phi: j.phi, label: `j${k + 1}${j.pt !== undefined ? ` ${j.pt.toFixed(0)} GeV` : ""}` }));
  const title = ev.title ?? "Event display";
  const x = { field: "eta", type: "quantitative", title: "η", scale: { domain: [-ETA_MAX, ETA_MAX], nice: false } };
  const y = { field: "phi", type: "quantitative", title: "φ [rad]", scale: { domain: [-Math.PI, Math.PI], nice: false } };
  const colour = { field: "group", type: "nominal", title: null, scale: { domain: groups, range: colours } };
  const maxPt = particles.reduce((m, p) => Math.max(m, p.pt), 1);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 440,
    height: 360,
    layer: [
      {
        data: { values: particles },
        mark: { type: "circle", opacity: 0.7, clip: true },
        encoding: { x, y, color: colour, size: { field: "pt", type: "quantitative", title: "pT [GeV]", scale: { range: [4, 900], domain: [0, maxPt] } } },
      },
      {
        data: { values: circle },
        mark: { type: "line", clip: true, strokeWidth: 1.2 },
        encoding: { x, y, detail: { field: "jet" }, order: { field: "i", type: "quantitative" }, color: { field: "jet", type: "nominal", scale: { domain: groups, range: colours }, legend: null } },
      },
      { data: { values: axes }, mark: { type: "point", shape: "cross", size: 120, filled: true, color: "black" }, encoding: { x, y } },
      { data: { values: axes }, mark: { type: "text", dx: 8, dy: -8, align: "left", fontSize: 11 }, encoding: { x, y, text: { field: "label" } } },
    ],
    usermeta: {
      plotly: {
        data: [
          ...groups.map((g, k) => {
            const ps = particles.filter((p) => p.group === g);
            return {
              type: "scatter",
              mode: "markers",
              name: g,
              x: ps.map((p) => p.eta),
              y: ps.map((p) => p.phi),
              text: ps.map((p) => `pT ${p.pt.toFixed(1)} GeV`),
              marker: { color: colours[k], opacity: 0.7, size: ps.map((p) => 3 + 30 * Math.sqrt(p.pt / maxPt)) },
            };
          }),
          { type: "scatter", mode: "markers+text", name: "jet axes", x: axes.map((a) => a.eta), y: axes.map((a) => a.phi), text: axes.map((a) => a.label), textposition: "top right", marker: { symbol: "x", color: "black", size: 10 } },
        ],
        layout: {
          title: { text: title },
          xaxis: { title: { text: "η" }, range: [-ETA_MAX, ETA_MAX] },
          yaxis: { title: { text: "φ [rad]" }, range: [-Math.PI, Math.PI] },
          shapes: jets.map((j, k) => {
            const r = j.R ?? R;
            return { type: "circle", xref: "x", yref: "y", x0: j.eta - r, x1: j.eta + r, y0: j.phi - r, y1: j.phi + r, line: { color: colours[k] } };
          }),
        },
      },
    },
  };
}
