/** `hepllm study`: the study's recipe, arms, trainings in parallel, paired comparisons and study.json. */
export { QUICK_RECIPE, recipeFor, STUDY_RECIPE } from "./recipe";
export type { StudyRecipe } from "./recipe";
export { ARMS, armConfig, armInputs, MAX_JETS, runName } from "./arms";
export type { Arm, ArmData } from "./arms";
export { makeBaseModel } from "./base-model";
export type { BaseModelResult } from "./base-model";
export { runArmJob } from "./arm-job";
export type { ArmJob, ArmJobResult, KeyedFile } from "./arm-job";
export { runJobs } from "./jobs";
export { pairedArmDifferences } from "./paired";
export type { ArmDifference } from "./paired";
export { fileKeys, STUDY_FILE, writeStudyJson } from "./study-json";
export type { ArmTestResult, SeedResult, SignalFreeResult, StudyJson } from "./study-json";
export { defaultStudySplit, PAIRED_METRICS, PAIRS, runStudy, trainSizeLeft } from "./study";
export type { StudyOptions, StudyResult, StudySplit } from "./study";
