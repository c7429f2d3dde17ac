/**
 * Physics figures of merit from the ROC: background rejection 1/εB at a fixed signal efficiency εS,
 * and the significance-improvement characteristic SIC = εS/√εB (the factor by which a cut raises
 * S/√B), with its maximum over cuts that keep enough background for εB to be meaningful.
 */
import { BinaryCurve, binaryCurve } from "./roc";

/**
 * 1/εB at signal efficiency `eff`, with εB linearly interpolated along the ROC curve (starting at
 * (0,0)) at the first point reaching εS >= eff. +Infinity when no background passes that cut,
 * NaN when a class is missing.
 */
export function rejectionAt(c: BinaryCurve, eff: number): number {
  if (c.nSignal === 0 || c.nBackground === 0) return NaN;
  if (!(eff > 0 && eff <= 1)) throw new Error(`rejectionAt: signal efficiency ${eff} is not in (0, 1]`);
  let prevS = 0;
  let prevB = 0;
  for (let i = 0; i < c.tps.length; i++) {
    const s = c.tps[i] / c.nSignal;
    const b = c.fps[i] / c.nBackground;
    if (s >= eff) {
      const epsB = prevB + ((eff - prevS) * (b - prevB)) / (s - prevS);
      return epsB === 0 ? Infinity : 1 / epsB;
    }
    prevS = s;
    prevB = b;
  }
  return NaN; // unreachable: the last point has εS = 1
}

export interface SicCurve {
  /** Signal efficiency εS of each cut. */
  eff: number[];
  /** εS/√εB of each cut. */
  sic: number[];
  /** Score cut (keep score >= threshold), decreasing. */
  thresholds: number[];
}

/** SIC at every distinct score cut keeping at least `minBackground` background events (default 50). */
export function sicFromCurve(c: BinaryCurve, minBackground = 50): SicCurve {
  const out: SicCurve = { eff: [], sic: [], thresholds: [] };
  if (c.nSignal === 0 || c.nBackground === 0) return out;
  const floor = Math.max(1, minBackground); // εB > 0 always
  for (let i = 0; i < c.tps.length; i++) {
    if (c.fps[i] < floor) continue;
    const epsS = c.tps[i] / c.nSignal;
    out.eff.push(epsS);
    out.sic.push(epsS / Math.sqrt(c.fps[i] / c.nBackground));
    out.thresholds.push(c.thresholds[i]);
  }
  return out;
}

/** SIC curve from labels and scores. */
export function sicCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, minBackground = 50): SicCurve {
  return sicFromCurve(binaryCurve(labels, scores), minBackground);
}

/** The largest SIC and its cut; NaN (threshold NaN) when no cut keeps `minBackground` background events. */
export function maxSic(curve: SicCurve): { sic: number; threshold: number } {
  let best = { sic: NaN, threshold: NaN };
  for (let i = 0; i < curve.sic.length; i++) {
    if (!(curve.sic[i] <= best.sic)) best = { sic: curve.sic[i], threshold: curve.thresholds[i] };
  }
  return best;
}
