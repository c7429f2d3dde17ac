/**
 * One call for the whole physics report of a classifier on a labelled sample: accuracy, per-class
 * P/R/F1 and the confusion matrix at a score cut, ROC AUC, background rejection at εS = 0.3 / 0.5,
 * maximum SIC, and optional seeded bootstrap 68% intervals of each.
 * labels: 1 = signal, 0 = background; scores: P(signal).
 */
import { accuracyOf, backgroundReport, ClassReport, Confusion, confusionMatrix, signalReport } from "./confusion";
import { aucFromCurve, binaryCurve } from "./roc";
import { maxSic, rejectionAt, sicFromCurve } from "./significance";
import { bootstrapIntervals } from "./bootstrap";

export interface MetricsReport {
  /** Number of events. */
  n: number;
  accuracy: number;
  signal: ClassReport;
  background: ClassReport;
  confusion: Confusion;
  /** ROC AUC (NaN with one class). */
  auc: number;
  /** 1/εB at εS = 0.3 (+Infinity when no background passes; JSON turns it into null). */
  rejection30: number;
  /** 1/εB at εS = 0.5. */
  rejection50: number;
  /** max εS/√εB over cuts keeping >= minBackground background events (NaN if none). */
  maxSic: number;
  /** Score cut of maxSic. */
  maxSicThreshold: number;
  /** Score cut used for accuracy, P/R/F1 and the confusion matrix (signal when score >= threshold). */
  threshold: number;
  /** 68% bootstrap intervals, keyed like the fields: "accuracy", "auc", "signal.f1", ... */
  intervals?: Record<string, [number, number]>;
}

export interface EvaluateOptions {
  /** Score cut for the hard decision; 0.5 = the more probable class. */
  threshold?: number;
  /** Bootstrap resamples for the 68% intervals; 0 or absent = no intervals. */
  bootstrap?: number;
  /** Seed of the bootstrap resampling, so intervals are reproducible. */
  seed?: number;
  /** Background events a cut must keep to count towards max SIC (εB estimated from >= 50 events). */
  minBackground?: number;
}

function core(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number, minBackground: number): MetricsReport {
  const confusion = confusionMatrix(labels, scores, threshold);
  const curve = binaryCurve(labels, scores);
  const best = maxSic(sicFromCurve(curve, minBackground));
  return {
    n: labels.length,
    accuracy: accuracyOf(confusion),
    signal: signalReport(confusion),
    background: backgroundReport(confusion),
    confusion,
    auc: aucFromCurve(curve),
    rejection30: rejectionAt(curve, 0.3),
    rejection50: rejectionAt(curve, 0.5),
    maxSic: best.sic,
    maxSicThreshold: best.threshold,
    threshold,
  };
}

/** The statistics that get bootstrap intervals, by name. */
function headline(r: MetricsReport): Record<string, number> {
  return {
    accuracy: r.accuracy,
    "signal.precision": r.signal.precision,
    "signal.recall": r.signal.recall,
    "signal.f1": r.signal.f1,
    "background.precision": r.background.precision,
    "background.recall": r.background.recall,
    "background.f1": r.background.f1,
    auc: r.auc,
    rejection30: r.rejection30,
    rejection50: r.rejection50,
    maxSic: r.maxSic,
  };
}

/** The full metrics report (see MetricsReport). */
export function evaluate(labels: ArrayLike<number>, scores: ArrayLike<number>, opts: EvaluateOptions = {}): MetricsReport {
  const threshold = opts.threshold ?? 0.5;
  const minBackground = opts.minBackground ?? 50;
  const report = core(labels, scores, threshold, minBackground);
  if (opts.bootstrap && opts.bootstrap > 0) {
    report.intervals = bootstrapIntervals(labels, scores, (l, s) => headline(core(l, s, threshold, minBackground)), {
      resamples: opts.bootstrap,
      seed: opts.seed,
    });
  }
  return report;
}
