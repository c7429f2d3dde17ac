/**
 * Background rejection 1/εB and SIC = εS/√εB as functions of signal efficiency εS on a fixed grid,
 * with bootstrap percentile bands: at each grid εS, the central `level` of the resampled values.
 * εB(εS) is interpolated along the ROC curve as in rejectionAt. The support rule applies point by
 * point (≥ MIN_BACKGROUND_REJECTION background events for 1/εB, ≥ MIN_BACKGROUND_SIC for SIC), in
 * the full sample and in every resample; a band point needs a fraction ≥ level of supported resamples.
 */
import { bootstrapValues, checkLevel, DEFAULT_LEVEL, gather, percentileInterval } from "./bootstrap";
import { checkLabelsScores } from "./check";
import { BinaryCurve, binaryCurve } from "./roc";
import { MIN_BACKGROUND_REJECTION, MIN_BACKGROUND_SIC } from "./support";

export interface EfficiencyBand {
  /** Signal efficiency εS of each grid point, increasing. */
  eff: number[];
  /** Value on all events at each εS (NaN where unsupported). */
  value: number[];
  /** Lower and upper band edge at each εS (NaN where no band). */
  lo: number[];
  hi: number[];
}

export interface EfficiencyBands {
  rejection: EfficiencyBand;
  sic: EfficiencyBand;
  level: number;
  resamples: number;
  minBackground: { rejection: number; sic: number };
}

export interface BandOptions {
  /** εS grid (default 0.01, 0.02, …, 1). */
  grid?: number[];
  /** Bootstrap resamples (default 200; 0 = no bands). */
  resamples?: number;
  seed?: number;
  level?: number;
  minBackgroundRejection?: number;
  minBackground?: number;
}

/** εB at each grid εS (sorted increasing), in one walk along the curve; NaN with a class missing. */
export function backgroundEfficiencies(c: BinaryCurve, grid: number[]): number[] {
  if (c.nSignal === 0 || c.nBackground === 0) return grid.map(() => NaN);
  const out: number[] = [];
  let i = 0;
  let prevS = 0;
  let prevB = 0;
  for (const eff of grid) {
    // Advance to the first point with εS >= eff, remembering the point before it.
    while (i < c.tps.length && c.tps[i] / c.nSignal < eff) {
      prevS = c.tps[i] / c.nSignal;
      prevB = c.fps[i] / c.nBackground;
      i++;
    }
    if (i >= c.tps.length) {
      out.push(NaN);
      continue;
    }
    const s = c.tps[i] / c.nSignal;
    const b = c.fps[i] / c.nBackground;
    out.push(prevB + ((eff - prevS) * (b - prevB)) / (s - prevS));
  }
  return out;
}

/** 1/εB and SIC at each grid point, NaN where the background kept is below the minimum. */
function onGrid(c: BinaryCurve, grid: number[], minRej: number, minSic: number): { rejection: number[]; sic: number[] } {
  const epsB = backgroundEfficiencies(c, grid);
  const kept = epsB.map((e) => e * c.nBackground);
  return {
    rejection: epsB.map((e, k) => (kept[k] >= Math.max(1, minRej) ? 1 / e : NaN)),
    sic: epsB.map((e, k) => (kept[k] >= Math.max(1, minSic) ? grid[k] / Math.sqrt(e) : NaN)),
  };
}

export const DEFAULT_GRID = Array.from({ length: 100 }, (_, k) => (k + 1) / 100);

/** Rejection and SIC curves with bootstrap bands for one classifier. */
export function efficiencyBands(labels: ArrayLike<number>, scores: ArrayLike<number>, opts: BandOptions = {}): EfficiencyBands {
  checkLabelsScores(labels, scores, "efficiencyBands");
  const grid = opts.grid ?? DEFAULT_GRID;
  grid.forEach((e, k) => {
    if (!(e > 0 && e <= 1) || (k > 0 && !(e > grid[k - 1]))) throw new RangeError(`efficiencyBands: grid must increase within (0, 1]; grid[${k}] = ${e}`);
  });
  const level = opts.level ?? DEFAULT_LEVEL;
  checkLevel(level);
  const minRej = opts.minBackgroundRejection ?? MIN_BACKGROUND_REJECTION;
  const minSic = opts.minBackground ?? MIN_BACKGROUND_SIC;
  const resamples = opts.resamples ?? 200;
  const full = onGrid(binaryCurve(labels, scores), grid, minRej, minSic);
  const nan = (): number[] => grid.map(() => NaN);
  const rejection: EfficiencyBand = { eff: grid, value: full.rejection, lo: nan(), hi: nan() };
  const sic: EfficiencyBand = { eff: grid, value: full.sic, lo: nan(), hi: nan() };
  if (resamples > 0) {
    const l = new Float64Array(labels.length);
    const s = new Float64Array(labels.length);
    const perResample: Array<{ rejection: number[]; sic: number[] }> = [];
    bootstrapValues(
      labels.length,
      (idx) => {
        perResample.push(onGrid(binaryCurve(gather(labels, idx, l), gather(scores, idx, s)), grid, minRej, minSic));
        return {};
      },
      { resamples, seed: opts.seed ?? 1 },
    );
    for (const [band, key] of [[rejection, "rejection"], [sic, "sic"]] as const) {
      grid.forEach((_, k) => {
        if (Number.isNaN(band.value[k])) return;
        const vs = perResample.map((r) => r[key][k]);
        if (vs.filter((v) => !Number.isNaN(v)).length < level * vs.length) return;
        [band.lo[k], band.hi[k]] = percentileInterval(vs, level);
      });
    }
  }
  return { rejection, sic, level, resamples, minBackground: { rejection: minRej, sic: minSic } };
}
