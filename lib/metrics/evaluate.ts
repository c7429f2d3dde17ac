/**
 * One call for the whole physics report of a classifier on a labelled sample: accuracy, balanced
 * accuracy, per-class P/R/F1 and the confusion matrix at a score cut, ROC AUC, background rejection
 * 1/εB at εS = 0.3 / 0.5, maximum SIC, and seeded bootstrap percentile intervals of each at a stated
 * level (default 0.95). Rejection and max SIC follow the support rule of ./support.ts: where the
 * background left after the cut is too small they are NaN (null in JSON) with the reason in
 * `unsupported`, in the point estimate and in every resample alike.
 * labels: 1 = signal, 0 = background; scores: P(signal).
 */
import { accuracyOf, backgroundReport, ClassReport, Confusion, confusionMatrix, signalReport } from "./confusion";
import { aucFromCurve, binaryCurve } from "./roc";
import { supportedMaxSic, supportedRejectionAt } from "./significance";
import { bootstrapValues, checkLevel, DEFAULT_LEVEL, gather, percentileInterval } from "./bootstrap";
import { checkLabelsScores } from "./check";
import { MIN_BACKGROUND_REJECTION, MIN_BACKGROUND_SIC } from "./support";

export interface MetricsReport {
  /** Number of events. */
  n: number;
  accuracy: number;
  /** Mean of the signal and background recalls (sklearn's balanced_accuracy_score); NaN with one class. Absent in old logs. */
  balancedAccuracy?: number;
  signal: ClassReport;
  background: ClassReport;
  confusion: Confusion;
  /** ROC AUC (NaN with one class). */
  auc: number;
  /** 1/εB at εS = 0.3; NaN (null in JSON) when unsupported, see `unsupported`. Old logs: +Infinity when no background passed. */
  rejection30: number;
  /** 1/εB at εS = 0.5 (same rule). */
  rejection50: number;
  /** max εS/√εB over the supported cuts; NaN when unsupported. */
  maxSic: number;
  /** Score cut of maxSic. */
  maxSicThreshold: number;
  /** Score cut used for accuracy, P/R/F1 and the confusion matrix (signal when score >= threshold). */
  threshold: number;
  /** Bootstrap percentile intervals at `intervalLevel`, keyed like the fields: "accuracy", "auc", "signal.f1", ... */
  intervals?: Record<string, [number, number]>;
  /** Confidence level of `intervals` (e.g. 0.95). Absent in old logs, whose intervals were 68%. */
  intervalLevel?: number;
  /** Resamples and seed of the bootstrap, to reproduce the intervals. */
  bootstrap?: { resamples: number; seed: number };
  /** Metric name → why its value is NaN (the counts that fail the support rule). */
  unsupported?: Record<string, string>;
  /** Metric name → why it has no interval although it has a value (too few resamples support it). */
  intervalUnsupported?: Record<string, string>;
  /** Metric name → why its value is a lower limit (max SIC at the tightest cut the support rule allows). */
  lowerLimits?: Record<string, string>;
  /** Background events a cut had to keep: for 1/εB at fixed εS and for max SIC. */
  minBackground?: { rejection: number; sic: number };
}

export interface EvaluateOptions {
  /** Score cut for the hard decision; 0.5 = the more probable class. */
  threshold?: number;
  /** Bootstrap resamples for the intervals; 0 or absent = no intervals. */
  bootstrap?: number;
  /** Seed of the bootstrap resampling, so intervals are reproducible (default 1). */
  seed?: number;
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  /** Background events a cut must keep to count towards max SIC (default MIN_BACKGROUND_SIC = 12). */
  minBackground?: number;
  /** Background events the cut at fixed εS must keep for 1/εB (default MIN_BACKGROUND_REJECTION = 10). */
  minBackgroundRejection?: number;
}

/** The metrics that get intervals, in report order (also the names pairedBootstrap accepts). */
export const HEADLINE_METRICS = [
  "accuracy",
  "balancedAccuracy",
  "signal.precision",
  "signal.recall",
  "signal.f1",
  "background.precision",
  "background.recall",
  "background.f1",
  "auc",
  "rejection30",
  "rejection50",
  "maxSic",
] as const;
export type HeadlineMetric = (typeof HEADLINE_METRICS)[number];

interface Settings {
  threshold: number;
  minSic: number;
  minRejection: number;
}

function settings(opts: EvaluateOptions): Settings {
  return {
    threshold: opts.threshold ?? 0.5,
    minSic: opts.minBackground ?? MIN_BACKGROUND_SIC,
    minRejection: opts.minBackgroundRejection ?? MIN_BACKGROUND_REJECTION,
  };
}

function core(labels: ArrayLike<number>, scores: ArrayLike<number>, st: Settings): MetricsReport {
  const confusion = confusionMatrix(labels, scores, st.threshold);
  const curve = binaryCurve(labels, scores);
  const unsupported: Record<string, string> = {};
  const r30 = supportedRejectionAt(curve, 0.3, st.minRejection);
  const r50 = supportedRejectionAt(curve, 0.5, st.minRejection);
  const sic = supportedMaxSic(curve, st.minSic);
  if (r30.reason) unsupported.rejection30 = r30.reason;
  if (r50.reason) unsupported.rejection50 = r50.reason;
  if (sic.reason) unsupported.maxSic = sic.reason;
  const signal = signalReport(confusion);
  const background = backgroundReport(confusion);
  const bothClasses = curve.nSignal > 0 && curve.nBackground > 0;
  const report: MetricsReport = {
    n: labels.length,
    accuracy: accuracyOf(confusion),
    balancedAccuracy: bothClasses ? (signal.recall + background.recall) / 2 : NaN,
    signal,
    background,
    confusion,
    auc: aucFromCurve(curve),
    rejection30: r30.value,
    rejection50: r50.value,
    maxSic: sic.value,
    maxSicThreshold: sic.threshold,
    threshold: st.threshold,
    unsupported,
    minBackground: { rejection: st.minRejection, sic: st.minSic },
  };
  if (sic.lowerLimit) report.lowerLimits = { maxSic: sic.lowerLimit };
  return report;
}

/** A headline metric of a report by name ("auc", "signal.f1", ...). */
export function metricValue(r: MetricsReport, name: string): number {
  const [head, tail] = name.split(".");
  if (tail !== undefined) {
    const cls = head === "signal" ? r.signal : head === "background" ? r.background : undefined;
    const v = cls ? (cls as unknown as Record<string, unknown>)[tail] : undefined;
    if (typeof v !== "number") throw new Error(`metric ${JSON.stringify(name)} is not one of ${HEADLINE_METRICS.join(", ")}`);
    return v;
  }
  const v = (r as unknown as Record<string, unknown>)[name];
  if (!(HEADLINE_METRICS as readonly string[]).includes(name)) throw new Error(`metric ${JSON.stringify(name)} is not one of ${HEADLINE_METRICS.join(", ")}`);
  return typeof v === "number" ? v : NaN;
}

/** The headline metrics of one sample, by name (NaN where unsupported). */
export function headlineMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, opts: EvaluateOptions = {}): Record<HeadlineMetric, number> {
  const r = core(labels, scores, settings(opts));
  return Object.fromEntries(HEADLINE_METRICS.map((k) => [k, metricValue(r, k)])) as Record<HeadlineMetric, number>;
}

/**
 * Whether enough resamples support a metric for its percentile interval: at least a fraction
 * `level` of them. With more unsupported resamples, the supported ones are a selected subset (for
 * rejection: the resamples where more background passed) and their percentiles would be biased.
 */
export function intervalSupport(values: number[], level: number): string | undefined {
  const ok = values.filter((v) => !Number.isNaN(v)).length;
  if (ok >= level * values.length) return undefined;
  return `only ${ok} of ${values.length} bootstrap resamples support it (need ≥ ${Math.ceil(level * values.length - 1e-9)} for a ${Math.round(level * 100)}% interval)`;
}

/** The full metrics report (see MetricsReport). */
export function evaluate(labels: ArrayLike<number>, scores: ArrayLike<number>, opts: EvaluateOptions = {}): MetricsReport {
  checkLabelsScores(labels, scores, "evaluate");
  const st = settings(opts);
  const report = core(labels, scores, st);
  if (opts.bootstrap && opts.bootstrap > 0) {
    const level = opts.level ?? DEFAULT_LEVEL;
    checkLevel(level);
    const seed = opts.seed ?? 1;
    const l = new Float64Array(labels.length);
    const s = new Float64Array(labels.length);
    const samples = bootstrapValues(
      labels.length,
      (idx) => {
        const r = core(gather(labels, idx, l), gather(scores, idx, s), st);
        return Object.fromEntries(HEADLINE_METRICS.map((k) => [k, metricValue(r, k)]));
      },
      { resamples: opts.bootstrap, seed },
    );
    const intervals: Record<string, [number, number]> = {};
    const intervalUnsupported: Record<string, string> = {};
    for (const k of HEADLINE_METRICS) {
      if (Number.isNaN(metricValue(report, k))) continue; // no value, no interval; the reason is in `unsupported`
      const vs = samples.get(k)!;
      const why = intervalSupport(vs, level);
      if (why) intervalUnsupported[k] = why;
      else intervals[k] = percentileInterval(vs, level);
    }
    report.intervals = intervals;
    report.intervalLevel = level;
    report.bootstrap = { resamples: opts.bootstrap, seed };
    if (Object.keys(intervalUnsupported).length > 0) report.intervalUnsupported = intervalUnsupported;
  }
  return report;
}
