/**
 * Cut-based classification metrics at one score threshold: confusion matrix, accuracy and the
 * per-class precision / recall / F1 (sklearn's conventions: a ratio with a zero denominator is 0).
 * An event is called signal when score >= threshold, the same convention as the ROC thresholds.
 */
import { checkLabelsScores } from "./check";

export interface Confusion {
  /** Signal called signal. */
  tp: number;
  /** Background called signal. */
  fp: number;
  /** Background called background. */
  tn: number;
  /** Signal called background. */
  fn: number;
}

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true events of this class. */
  support: number;
}

/** Confusion counts with "signal" meaning score >= threshold. */
export function confusionMatrix(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): Confusion {
  checkLabelsScores(labels, scores, "confusionMatrix");
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const callSignal = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (callSignal) c.tp++;
      else c.fn++;
    } else if (callSignal) c.fp++;
    else c.tn++;
  }
  return c;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Fraction of events classified correctly (NaN for no events). */
export function accuracyOf(c: Confusion): number {
  const n = c.tp + c.fp + c.tn + c.fn;
  return n === 0 ? NaN : (c.tp + c.tn) / n;
}

/** Precision, recall and F1 of the signal class (positive = signal). */
export function signalReport(c: Confusion): ClassReport {
  return classReport(c.tp, c.fp, c.fn);
}

/** Precision, recall and F1 of the background class (positive = background). */
export function backgroundReport(c: Confusion): ClassReport {
  return classReport(c.tn, c.fn, c.fp);
}

function classReport(tp: number, fp: number, fn: number): ClassReport {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support: tp + fn };
}

/** Accuracy of hard predictions (0/1) against labels. */
export function accuracy(labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  return accuracyOf(confusionMatrix(labels, predictions, 0.5));
}
