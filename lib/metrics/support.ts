/**
 * When the background left after a cut supports a background-efficiency figure of merit. εB is a
 * count ratio N_B(pass)/N_B; with few background events passing, 1/εB and εS/√εB are statements
 * about a handful of events (a count of 0 makes 1/εB infinite, and a 1:1 set of 100 events with
 * "≥ 50 background events" leaves only the no-cut point, so every max SIC was εS/√1 = 1).
 * Below these counts the metric is NaN (null in JSON) with the reason, never a number.
 * The same rule is applied inside every bootstrap resample.
 */

/**
 * Fewest background events (εB · N_B, interpolated like εB) a cut at fixed εS must keep for 1/εB:
 * a Poisson count of 10 has a relative error 1/√10 ≈ 0.32, so the rejection is known to about a
 * third; at 0 passing events 1/εB is infinite, which is never reported as a number.
 */
export const MIN_BACKGROUND_REJECTION = 10;

/**
 * Largest relative error of εB (≈ 1/√N_B(pass), Poisson) allowed for a cut entering max SIC.
 * The maximum over cuts picks the cuts whose εB fluctuated low, so SIC needs a tighter bound than a
 * fixed-εS rejection: 0.3 on εB is 0.15 on SIC = εS/√εB.
 */
export const MAX_RELATIVE_ERROR_EPS_B = 0.3;

/**
 * Fewest background events a cut must keep to count towards max SIC: the larger of the rejection's
 * count and ⌈1/0.3²⌉ = 12 from the relative-error bound.
 */
export const MIN_BACKGROUND_SIC = Math.max(MIN_BACKGROUND_REJECTION, Math.ceil(1 / (MAX_RELATIVE_ERROR_EPS_B * MAX_RELATIVE_ERROR_EPS_B) - 1e-9));

/** A metric value, or NaN with the reason the data could not support it. */
export interface Supported {
  value: number;
  /** Why `value` is NaN (absent when the value is a number). */
  reason?: string;
}

/** Round to 2 decimals for reasons (counts interpolated along the ROC are not integers). */
export const count2 = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));
