/**
 * Physics-grade classifier metrics. labels: 1 = signal, 0 = background; scores: P(signal).
 */
export { checkLabelsScores, classCounts } from "./check";
export { accuracy, accuracyOf, backgroundReport, confusionMatrix, signalReport } from "./confusion";
export type { ClassReport, Confusion } from "./confusion";
export { auc, aucFromCurve, binaryCurve, rocCurve } from "./roc";
export type { BinaryCurve, RocCurve } from "./roc";
export { backgroundEfficiencyAt, maxSic, rejectionAt, sicCurve, sicFromCurve, supportedMaxSic, supportedRejectionAt } from "./significance";
export type { SicCurve } from "./significance";
export { MAX_RELATIVE_ERROR_EPS_B, MIN_BACKGROUND_REJECTION, MIN_BACKGROUND_SIC } from "./support";
export type { Supported } from "./support";
export { bootstrapIntervals, bootstrapValues, DEFAULT_LEVEL, gather, percentile, percentileInterval, resampleIndices } from "./bootstrap";
export type { BootstrapOptions } from "./bootstrap";
export { backgroundEfficiencies, DEFAULT_GRID, efficiencyBands } from "./bands";
export type { BandOptions, EfficiencyBand, EfficiencyBands } from "./bands";
export { evaluate, HEADLINE_METRICS, headlineMetrics, intervalSupport, metricValue } from "./evaluate";
export type { EvaluateOptions, HeadlineMetric, MetricsReport } from "./evaluate";
export { differenceVerdict, pairByIds, pairedBootstrap } from "./paired";
export type { PairedDifference, PairedOptions } from "./paired";
export { falsePositiveRate, thresholdAtSignalEfficiency } from "./working-point";
export type { FalsePositiveRate } from "./working-point";
export { seedSpread } from "../stats/spread";
export type { Spread } from "../stats/spread";
export { betaCdf, betaQuantile } from "../stats/beta";
export { clopperPearson } from "../stats/binomial";
export { ksDistance } from "./ks";
export { appendRunLog, readRunLog, readScores, runLogPath } from "./log";
export type { EvalLogEntry, RunLogEntry, ScoreRecord, TrainLogEntry, ValLogEntry } from "./log";
