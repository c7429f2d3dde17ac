/**
 * Training and validation loss against optimiser step, one line per run and split, from the run
 * log entries (kind "train" and "val").
 */
import type { RunLogEntry } from "../metrics/log";
import { FigureSpec, PALETTE, VEGA_LITE_SCHEMA } from "./spec";

export function lossCurveSpec(entries: RunLogEntry[], opts: { title?: string; logY?: boolean } = {}): FigureSpec {
  const runs = [...new Set(entries.map((e) => e.run))];
  const rows: Array<{ series: string; run: string; split: string; step: number; loss: number }> = [];
  for (const e of entries) {
    if (e.kind !== "train" && e.kind !== "val") continue;
    if (!Number.isFinite(e.loss)) continue;
    const split = e.kind === "train" ? "train" : "validation";
    rows.push({ series: runs.length > 1 ? `${e.run} ${split}` : split, run: e.run, split, step: e.step, loss: e.loss });
  }
  rows.sort((a, b) => a.step - b.step);
  const series = [...new Set(rows.map((r) => r.series))];
  const colourOf = (s: string): string => PALETTE[runs.indexOf(rows.find((r) => r.series === s)!.run) % PALETTE.length];
  const title = opts.title ?? "Loss curves";
  const yScale = opts.logY ? { type: "log" } : { zero: false };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 420,
    height: 260,
    data: { values: rows },
    mark: { type: "line", point: rows.length < 60 },
    encoding: {
      x: { field: "step", type: "quantitative", title: "optimiser step" },
      y: { field: "loss", type: "quantitative", title: "loss (cross-entropy per target token)", scale: yScale },
      color: { field: "series", type: "nominal", title: null, scale: { domain: series, range: series.map(colourOf) }, legend: { labelLimit: 300 } },
      strokeDash: { field: "split", type: "nominal", title: null, scale: { domain: ["train", "validation"], range: [[1, 0], [5, 3]] } },
    },
    usermeta: {
      plotly: {
        data: series.map((s) => {
          const pts = rows.filter((r) => r.series === s);
          return { type: "scatter", mode: "lines+markers", name: s, x: pts.map((p) => p.step), y: pts.map((p) => p.loss), line: { color: colourOf(s), dash: pts[0].split === "train" ? "solid" : "dash" } };
        }),
        layout: { title: { text: title }, xaxis: { title: { text: "optimiser step" } }, yaxis: { title: { text: "loss" }, type: opts.logY ? "log" : "linear" } },
      },
    },
  };
}
