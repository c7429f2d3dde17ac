/**
 * Physics-grade classifier metrics. labels: 1 = signal, 0 = background; scores: P(signal).
 */
export { checkLabelsScores, classCounts } from "./check";
export { accuracy, accuracyOf, backgroundReport, confusionMatrix, signalReport } from "./confusion";
export type { ClassReport, Confusion } from "./confusion";
export { auc, aucFromCurve, binaryCurve, rocCurve } from "./roc";
export type { BinaryCurve, RocCurve } from "./roc";
export { maxSic, rejectionAt, sicCurve, sicFromCurve } from "./significance";
export type { SicCurve } from "./significance";
export { bootstrapIntervals, percentile } from "./bootstrap";
export { evaluate } from "./evaluate";
export type { EvaluateOptions, MetricsReport } from "./evaluate";
export { ksDistance } from "./ks";
export { appendRunLog, readRunLog, readScores, runLogPath } from "./log";
export type { EvalLogEntry, RunLogEntry, ScoreRecord, TrainLogEntry, ValLogEntry } from "./log";
