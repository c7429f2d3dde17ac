/** The demo's steps, in order: data (simulate, prepare, split), then the study. */
import { prepareStep, simulateStep, splitStep } from "./data-steps";
import type { DemoStep } from "./step";
import { studyStep } from "./study-step";

/** Simulate, prepare, split: the data set alone. */
export const DATA_STEPS: DemoStep[] = [simulateStep, prepareStep, splitStep];

export const DEMO_STEPS: DemoStep[] = [...DATA_STEPS, studyStep];
