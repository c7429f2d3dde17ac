/** The LHCO-like event simulator and its calibration against real LHCO files. */
export type { SimulationConfig, ShowerConfig, UnderlyingEventConfig, BackgroundConfig, SignalConfig, DetectorConfig, SimulationOverrides } from "./config";
export { DEFAULT_SIMULATION, simulationConfig } from "./config";
export { simulateEvents, simulateEvent, simulateToFile, signalCount, eventSeed } from "./simulate";
export { calibrationTable, calibrateFiles, calibrationMarkdown, collectObservables, CALIBRATION_OBSERVABLES, KS_TARGET } from "./calibration";
export type { CalibrationTable, CalibrationObservable, KSRow, KSEntry, ObservableSamples } from "./calibration";
export { featureCalibrationTable, featureCalibrationMarkdown, featureCalibrationPasses, recordObservables, simulateRecords, FEATURE_OBSERVABLES } from "./feature-calibration";
export type { FeatureCalibrationTable, FeatureKSRow, FeatureObservable, FeatureSamples } from "./feature-calibration";
