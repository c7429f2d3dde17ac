/**
 * The two-sample Kolmogorov–Smirnov distance lives in lib/stats/ks.ts (the simulator's
 * calibration uses it too); the metrics API re-exports it for reports and notebooks.
 */
export { ksDistance, ksPValue } from "../stats/ks";
