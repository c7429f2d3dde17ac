/** `hepllm demo`: the whole study on a small simulated data set, as an ordered list of steps. */
export { runDemo, formatDemoSummary } from "./pipeline";
export type { DemoResult, StepResult } from "./pipeline";
export { DATA_STEPS, DEMO_STEPS } from "./steps";
export { LEARNING_STEPS, DEMO_MODEL } from "./train-steps";
export { simulateStep, prepareStep, splitStep } from "./data-steps";
export { makeContext } from "./step";
export type { DemoArtifacts, DemoContext, DemoOptions, DemoStep, StepReport } from "./step";
