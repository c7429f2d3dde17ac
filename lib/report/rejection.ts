/**
 * Background rejection 1/εB (log scale) against signal efficiency εS — the physics convention for a
 * tagger's ROC — one curve per classifier with its bootstrap band, and the random classifier's 1/εS.
 * Points where fewer than MIN_BACKGROUND_REJECTION background events pass are left out (see
 * lib/metrics/support.ts): the curve stops where the test set runs out of background.
 */
import { BandOptions, DEFAULT_GRID, efficiencyBands } from "../metrics/bands";
import { bandFigure } from "./band";
import type { ScoredSample } from "./roc";
import type { FigureSpec } from "./spec";

export function rejectionSpec(samples: ScoredSample[], opts: BandOptions & { title?: string } = {}): FigureSpec {
  const bands = samples.map((s) => ({ name: s.name, all: efficiencyBands(s.labels, s.scores, opts) }));
  const level = bands[0]?.all.level ?? opts.level ?? 0.95;
  const minB = bands[0]?.all.minBackground.rejection;
  const grid = opts.grid ?? DEFAULT_GRID;
  return bandFigure(
    bands.map((b) => ({ name: b.name, band: b.all.rejection })),
    {
      title: opts.title ?? "Background rejection",
      subtitle: `bands: ${Math.round(level * 100)}% bootstrap intervals; points with ≥ ${minB} background events passing`,
      yTitle: "background rejection 1/εB",
      logY: true,
      reference: { name: "random (1/εS)", eff: grid, value: grid.map((e) => 1 / e) },
    },
  );
}
