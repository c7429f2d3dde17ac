/**
 * A working point fixed on one sample and applied to another: the score cut that keeps a chosen
 * signal efficiency on the validation set, and the false-positive rate of that cut on a
 * background-only (signal-free) sample, with its exact Clopper–Pearson interval.
 */
import { clopperPearson } from "../stats/binomial";
import { DEFAULT_LEVEL } from "./bootstrap";
import { checkLabelsScores } from "./check";

/**
 * The highest score cut (keep score >= cut) whose signal efficiency on (labels, scores) is at least
 * `eff`: the ⌈eff · N_S⌉-th highest signal score. Ties at the cut can make εS a little larger.
 */
export function thresholdAtSignalEfficiency(labels: ArrayLike<number>, scores: ArrayLike<number>, eff: number): number {
  checkLabelsScores(labels, scores, "thresholdAtSignalEfficiency");
  if (!(eff > 0 && eff <= 1)) throw new RangeError(`thresholdAtSignalEfficiency: signal efficiency ${eff} is not in (0, 1]`);
  const sig: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) sig.push(scores[i]);
  if (sig.length === 0) throw new Error("thresholdAtSignalEfficiency: no signal events (label 1) to fix the working point on");
  sig.sort((a, b) => b - a);
  // 1e-9 absorbs rounding in eff · N_S (0.3 · 10 = 3.0000000000000004 must keep 3 events, not 4).
  const k = Math.max(1, Math.ceil(eff * sig.length - 1e-9));
  return sig[k - 1];
}

export interface FalsePositiveRate {
  /** Events with score >= threshold. */
  k: number;
  /** Events in the sample. */
  n: number;
  /** k / n. */
  rate: number;
  /** Clopper–Pearson interval of the rate at `level`. */
  interval: [number, number];
  level: number;
  threshold: number;
}

/**
 * Fraction of a background-only sample that passes the cut (score >= threshold), with its exact
 * binomial interval at `level` (default 0.95). With k = 0 the interval is [0, 1 − (α/2)^(1/n)].
 */
export function falsePositiveRate(scores: ArrayLike<number>, threshold: number, level = DEFAULT_LEVEL): FalsePositiveRate {
  if (scores.length === 0) throw new Error("falsePositiveRate: the background-only sample is empty");
  if (Number.isNaN(threshold)) throw new Error("falsePositiveRate: threshold is NaN");
  let k = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (typeof s !== "number" || !Number.isFinite(s)) throw new Error(`falsePositiveRate: score[${i}] = ${JSON.stringify(s)} is not a finite number`);
    if (s >= threshold) k++;
  }
  const n = scores.length;
  return { k, n, rate: k / n, interval: clopperPearson(k, n, level), level, threshold };
}
