/**
 * Learning-rate schedule: linear warm-up from 0 to the peak, then cosine decay to `minRatio` of
 * the peak at `totalSteps` (as transformers' get_cosine_schedule_with_warmup, with a floor).
 */
export interface ScheduleConfig {
  /** Peak learning rate. */
  lr: number;
  /** Optimiser steps of linear warm-up (avoids large early updates of a zero-initialised LoRA B). */
  warmupSteps: number;
  /** Total optimiser steps; the cosine reaches its floor here. */
  totalSteps: number;
  /** Floor as a fraction of the peak (0 = decay to zero). */
  minRatio: number;
}

/** Learning rate for optimiser step `step` (0-based: the first update uses step 0). */
export function learningRate(cfg: ScheduleConfig, step: number): number {
  if (cfg.warmupSteps > 0 && step < cfg.warmupSteps) return (cfg.lr * (step + 1)) / cfg.warmupSteps;
  const decaySteps = Math.max(1, cfg.totalSteps - cfg.warmupSteps);
  const progress = Math.min(1, (step - cfg.warmupSteps) / decaySteps);
  const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
  return cfg.lr * (cfg.minRatio + (1 - cfg.minRatio) * cosine);
}
