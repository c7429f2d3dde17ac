/**
 * Records on disk: the EventRecord JSON Schema and its validator, JSONL reading and atomic
 * writing, `prepare` (LHCO HDF5 -> records, on all cores), `readFeatureTable` (jet-feature CSV
 * tables -> records, with the fields a table lacks absent) and `split` (train/validation sets per
 * signal:background ratio, with no validation event in any training file).
 */
export { RecordError, validateRecord, isRecord } from "./validate";
export type { RecordLocation } from "./validate";
export { readRecords, readAllRecords, writeRecords, RecordWriter, formatRecord, jsonlLines, parseRecordLine } from "./jsonl";
export type { JsonlLine } from "./jsonl";
export { prepare, PREPARE_DEFAULTS } from "./prepare";
export { readFeatureTable, MASS_ROUNDING_GEV } from "./feature-table";
export type { FeatureTableOptions } from "./feature-table";
export type { PrepareOptions, PrepareResult } from "./prepare";
export { split, formatSplitSummary, ratioName } from "./split";
export type { SplitOptions, SplitSummary, SplitSet, SplitPart } from "./split";
