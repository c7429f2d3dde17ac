/**
 * Records on disk: the EventRecord JSON Schema and its validator, JSONL reading and atomic
 * writing, `prepare` (LHCO HDF5 -> records, on all cores), `readFeatureTable` (jet-feature CSV
 * tables -> records, with the fields a table lacks absent) and `split` (train/validation/test sets
 * per signal:background ratio, no event in two sets of any ratio, checked by re-reading).
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
export { idsSha256, verifySplit, SPLIT_PARTS } from "./split-check";
export type { SplitRecord, PartRecord } from "./split-check";
export type { SplitOptions, SplitSummary, SplitSet, SplitPart } from "./split";
