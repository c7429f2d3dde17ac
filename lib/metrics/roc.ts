/**
 * ROC curve and its area, following scikit-learn's roc_curve / roc_auc_score: one point per
 * distinct score (ties form one step, so a tied signal/background pair counts one half in the
 * AUC), thresholds in decreasing order, a cut keeps events with score >= threshold.
 * The first point is (0, 0) with threshold +Infinity (sklearn >= 1.3; 1.2 used max + 1).
 */
import { checkLabelsScores } from "./check";

/** Cumulative counts per distinct threshold, highest threshold first (sklearn's _binary_clf_curve). */
export interface BinaryCurve {
  /** Background events with score >= thresholds[i]. */
  fps: number[];
  /** Signal events with score >= thresholds[i]. */
  tps: number[];
  thresholds: number[];
  nSignal: number;
  nBackground: number;
}

/** Counts of signal and background passing each distinct score cut, in decreasing score order. */
export function binaryCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): BinaryCurve {
  checkLabelsScores(labels, scores, "rocCurve");
  // Sort each class's scores natively (ascending), then merge from the top: a point closes after
  // every event of one distinct score, from both classes, has been counted.
  let nSignal = 0;
  for (let i = 0; i < labels.length; i++) nSignal += labels[i];
  const sig = new Float64Array(nSignal);
  const bkg = new Float64Array(labels.length - nSignal);
  for (let i = 0, a = 0, b = 0; i < labels.length; i++) {
    if (labels[i] === 1) sig[a++] = scores[i];
    else bkg[b++] = scores[i];
  }
  sig.sort();
  bkg.sort();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let i = sig.length - 1;
  let j = bkg.length - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? bkg[j] : j < 0 ? sig[i] : Math.max(sig[i], bkg[j]);
    while (i >= 0 && sig[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && bkg[j] === v) {
      fp++;
      j--;
    }
    tps.push(tp);
    fps.push(fp);
    thresholds.push(v);
  }
  return { fps, tps, thresholds, nSignal: tp, nBackground: fp };
}

export interface RocCurve {
  /** False-positive rate = background efficiency, nondecreasing. */
  fpr: number[];
  /** True-positive rate = signal efficiency, nondecreasing. */
  tpr: number[];
  /** Score cut of each point, decreasing; thresholds[0] = +Infinity. */
  thresholds: number[];
}

/**
 * ROC curve. `dropIntermediate` (sklearn's default, true) removes points lying on a straight
 * segment between their neighbours, which changes neither the plot nor the area.
 * A class with no events gives NaN rates for that class (sklearn warns the same way).
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, opts: { dropIntermediate?: boolean } = {}): RocCurve {
  const c = binaryCurve(labels, scores);
  let fps = [0, ...c.fps];
  let tps = [0, ...c.tps];
  let thresholds = [Infinity, ...c.thresholds];
  if ((opts.dropIntermediate ?? true) && fps.length > 2) {
    // sklearn keeps the ends and every point where the second difference of fps or tps is non-zero.
    const keep = (i: number): boolean =>
      i === 0 || i === fps.length - 1 || fps[i + 1] - 2 * fps[i] + fps[i - 1] !== 0 || tps[i + 1] - 2 * tps[i] + tps[i - 1] !== 0;
    const idx = fps.map((_, i) => i).filter(keep);
    fps = idx.map((i) => fps[i]);
    tps = idx.map((i) => tps[i]);
    thresholds = idx.map((i) => thresholds[i]);
  }
  return { fpr: fps.map((f) => f / c.nBackground), tpr: tps.map((t) => t / c.nSignal), thresholds };
}

/** Trapezoid area under y(x). */
function trapezoid(x: number[], y: number[]): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return a;
}

/**
 * ROC AUC = P(score of a random signal > score of a random background) + half P(tie), as
 * sklearn's roc_auc_score. NaN when either class is missing (sklearn raises there).
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const c = binaryCurve(labels, scores);
  if (c.nSignal === 0 || c.nBackground === 0) return NaN;
  return aucFromCurve(c);
}

/** AUC of an already-built binary curve. */
export function aucFromCurve(c: BinaryCurve): number {
  if (c.nSignal === 0 || c.nBackground === 0) return NaN;
  return trapezoid([0, ...c.fps.map((f) => f / c.nBackground)], [0, ...c.tps.map((t) => t / c.nSignal)]);
}
