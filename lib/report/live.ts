/**
 * A figure that redraws in place in a notebook (e.g. a loss curve while training runs): tslab's
 * `newDisplay()` sends the first picture as display_data and every later one as
 * update_display_data with the same display id, so the cell keeps one output — also in a
 * notebook executed headless (nbclient applies the updates to the saved output). Outside a
 * notebook kernel `update` renders nothing and returns.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readRunLog, runLogPath } from "../metrics/log";
import type { RunLogEntry } from "../metrics/log";
import { lossCurveSpec } from "./loss";
import { renderSVG } from "./render";
import { notebookDisplay } from "./show";
import type { FigureSpec } from "./spec";

export interface LiveFigure {
  /** Replaces the displayed picture (a spec, or SVG text). */
  update(figure: FigureSpec | string): Promise<void>;
}

export function liveFigure(): LiveFigure {
  // Created lazily on the first update, inside the cell that shows it.
  let handle: { svg(s: string): void } | undefined;
  return {
    async update(figure) {
      if (!notebookDisplay()) return;
      const svg = typeof figure === "string" ? figure : await renderSVG(figure);
      handle ??= (require("tslab") as { newDisplay(): { svg(s: string): void } }).newDisplay();
      handle.svg(svg);
    },
  };
}

/**
 * Redraws a run's loss curve in place while the run trains elsewhere (another process writing
 * `<runDir>/log.jsonl`): polls the log every `everyMs` and re-renders when it has new train/val
 * lines. `stop()` ends polling after a last redraw.
 */
export function followLossCurve(runDir: string, opts: { everyMs?: number; title?: string; logY?: boolean } = {}): { stop(): Promise<void> } {
  const fig = liveFigure();
  let shown = -1;
  let busy: Promise<void> | undefined;
  const redraw = async (): Promise<void> => {
    if (!fs.existsSync(runLogPath(runDir))) return;
    let entries: RunLogEntry[];
    try {
      entries = readRunLog(runDir).filter((e) => e.kind === "train" || e.kind === "val");
    } catch {
      return; // a line being appended right now: next time
    }
    if (entries.length === shown || entries.length === 0) return;
    shown = entries.length;
    await fig.update(lossCurveSpec(entries, { title: opts.title ?? `Training loss — ${path.basename(runDir)}`, logY: opts.logY }));
  };
  const timer = setInterval(() => {
    busy ??= redraw().finally(() => (busy = undefined));
  }, opts.everyMs ?? 2000);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      await redraw();
    },
  };
}
