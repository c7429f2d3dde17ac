/**
 * Physics figures of merit from the ROC: background rejection 1/εB at a fixed signal efficiency εS,
 * and the significance-improvement characteristic SIC = εS/√εB (the factor by which a cut raises
 * S/√B), with its maximum over cuts that keep enough background for εB to be meaningful.
 */
import { BinaryCurve, binaryCurve } from "./roc";
import { count2, MIN_BACKGROUND_REJECTION, MIN_BACKGROUND_SIC, Supported } from "./support";

/**
 * 1/εB at signal efficiency `eff`, with εB linearly interpolated along the ROC curve (starting at
 * (0,0)) at the first point reaching εS >= eff. +Infinity when no background passes that cut,
 * NaN when a class is missing.
 */
export function rejectionAt(c: BinaryCurve, eff: number): number {
  const epsB = backgroundEfficiencyAt(c, eff);
  return epsB === 0 ? Infinity : 1 / epsB;
}

/**
 * εB at signal efficiency `eff`, linearly interpolated along the ROC curve (from (0,0)) at the
 * first point reaching εS >= eff; NaN when a class is missing.
 */
export function backgroundEfficiencyAt(c: BinaryCurve, eff: number): number {
  if (!(eff > 0 && eff <= 1)) throw new Error(`rejectionAt: signal efficiency ${eff} is not in (0, 1]`);
  if (c.nSignal === 0 || c.nBackground === 0) return NaN;
  let prevS = 0;
  let prevB = 0;
  for (let i = 0; i < c.tps.length; i++) {
    const s = c.tps[i] / c.nSignal;
    const b = c.fps[i] / c.nBackground;
    if (s >= eff) {
      return prevB + ((eff - prevS) * (b - prevB)) / (s - prevS);
    }
    prevS = s;
    prevB = b;
  }
  return NaN; // unreachable: the last point has εS = 1
}

/** Why a curve cannot give any εB figure (a class missing), or undefined. */
function missingClass(c: BinaryCurve): string | undefined {
  if (c.nSignal === 0) return "no signal events in the sample";
  if (c.nBackground === 0) return "no background events in the sample";
  return undefined;
}

/**
 * 1/εB at signal efficiency `eff` when the cut keeps at least `minBackground` background events
 * (εB · N_B, default MIN_BACKGROUND_REJECTION = 10); otherwise NaN with the counts in the reason.
 */
export function supportedRejectionAt(c: BinaryCurve, eff: number, minBackground = MIN_BACKGROUND_REJECTION): Supported {
  const missing = missingClass(c);
  if (missing) return { value: NaN, reason: missing };
  const epsB = backgroundEfficiencyAt(c, eff);
  const kept = epsB * c.nBackground;
  const floor = Math.max(1, minBackground); // never 1/0 = +Infinity
  if (!(kept >= floor)) {
    return {
      value: NaN,
      reason: `${count2(kept)} of ${c.nBackground} background events pass the cut at εS = ${eff}; 1/εB needs ≥ ${floor} (relative error of εB ≈ 1/√N ≤ ${(1 / Math.sqrt(floor)).toFixed(2)})`,
    };
  }
  return { value: 1 / epsB };
}

/**
 * Max SIC over the cuts that keep at least `minBackground` background events (default
 * MIN_BACKGROUND_SIC = 12, relative error of εB ≤ MAX_RELATIVE_ERROR_EPS_B) and reject at least one:
 * the no-cut point (εB = 1, SIC = εS ≤ 1) says nothing about the classifier and never makes the
 * maximum on its own. Otherwise NaN with the counts in the reason.
 */
export function supportedMaxSic(c: BinaryCurve, minBackground = MIN_BACKGROUND_SIC): Supported & { threshold: number; eff: number; lowerLimit?: string } {
  const missing = missingClass(c);
  if (missing) return { value: NaN, threshold: NaN, eff: NaN, reason: missing };
  const floor = Math.max(1, minBackground);
  let best = { value: NaN, threshold: NaN, eff: NaN };
  let first = -1; // the tightest qualifying cut
  let at = -1;
  for (let i = 0; i < c.tps.length; i++) {
    if (c.fps[i] < floor || c.fps[i] >= c.nBackground) continue;
    if (first < 0) first = i;
    const epsS = c.tps[i] / c.nSignal;
    const sic = epsS / Math.sqrt(c.fps[i] / c.nBackground);
    if (!(sic <= best.value)) {
      best = { value: sic, threshold: c.thresholds[i], eff: epsS };
      at = i;
    }
  }
  // A maximum at the tightest allowed cut is set by the rule, not by the classifier: a larger
  // sample would allow tighter cuts and may give more. Say so (the value stands, as a lower limit).
  if (at >= 0 && at === first) {
    return { ...best, lowerLimit: `max SIC is reached at the tightest cut the rule allows (${c.fps[at]} of ${c.nBackground} background events pass, minimum ${floor}); tighter cuts may do better on a larger sample: read it as a lower limit` };
  }
  if (!Number.isNaN(best.value)) return best;
  const bound = `relative error of εB ≈ 1/√N ≤ ${(1 / Math.sqrt(floor)).toFixed(2)}`;
  const reason =
    c.nBackground <= floor
      ? `the sample has ${c.nBackground} background events; max SIC needs a cut keeping ≥ ${floor} of them while rejecting some (${bound})`
      : `no score cut keeps ≥ ${floor} of the ${c.nBackground} background events while rejecting any (${bound})`;
  return { ...best, reason };
}

export interface SicCurve {
  /** Signal efficiency εS of each cut. */
  eff: number[];
  /** εS/√εB of each cut. */
  sic: number[];
  /** Score cut (keep score >= threshold), decreasing. */
  thresholds: number[];
}

/** SIC at every distinct score cut keeping at least `minBackground` background events (default MIN_BACKGROUND_SIC). */
export function sicFromCurve(c: BinaryCurve, minBackground = MIN_BACKGROUND_SIC): SicCurve {
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
export function sicCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, minBackground = MIN_BACKGROUND_SIC): SicCurve {
  return sicFromCurve(binaryCurve(labels, scores), minBackground);
}

/**
 * The largest SIC of a curve and its cut; NaN (threshold NaN) when the curve is empty. It does not
 * apply the support rule (the no-cut point counts): reports use supportedMaxSic.
 */
export function maxSic(curve: SicCurve): { sic: number; threshold: number } {
  let best = { sic: NaN, threshold: NaN };
  for (let i = 0; i < curve.sic.length; i++) {
    if (!(curve.sic[i] <= best.sic)) best = { sic: curve.sic[i], threshold: curve.thresholds[i] };
  }
  return best;
}
