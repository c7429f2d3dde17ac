/**
 * The demo's steps, in order: data (simulate, prepare, split), then learning (base model, train,
 * evaluate, report).
 */
import { prepareStep, simulateStep, splitStep } from "./data-steps";
import type { DemoStep } from "./step";
import { LEARNING_STEPS } from "./train-steps";

/** Simulate, prepare, split: the data set alone. */
export const DATA_STEPS: DemoStep[] = [simulateStep, prepareStep, splitStep];

export const DEMO_STEPS: DemoStep[] = [...DATA_STEPS, ...LEARNING_STEPS];
