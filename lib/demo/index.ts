/** `hepllm demo`: the study on simulated events, as an ordered list of steps. */
export { runDemo, formatDemoSummary } from "./pipeline";
export type { DemoResult, StepResult } from "./pipeline";
export { DATA_STEPS, DEMO_STEPS } from "./steps";
export { DEMO_DATA, demoData, QUICK_DATA, realTinyFile, splitDemoRecords, simulateStep, prepareStep, splitStep } from "./data-steps";
export type { DemoData } from "./data-steps";
export { studyStep } from "./study-step";
export { makeContext } from "./step";
export type { DemoArtifacts, DemoContext, DemoOptions, DemoStep, StepReport } from "./step";
