/**
 * The numbers that define each analysis step's expected output. Prompts are filled from these
 * (placeholders `{{NAME}}` in lib/analysis/prompts/*.md) and the reference solutions read them,
 * so what the coder is told and what it is checked against cannot drift apart.
 */

/** Particle slots per event in an LHCO row (zero-padded). */
export const MAX_PARTICLES = 700;

/** Jet clustering for step 3: anti-kt, E-scheme, massless particles (E = pT cosh eta). */
export const JET_R = 1.0;
/** Inclusive-jet threshold [GeV] for step 3 (the LHCO convention). */
export const JET_PTMIN = 20;

/** Step 3 output columns, in order (features.npy is N x 12, float64, NaN where a jet is missing). */
export const FEATURE_COLUMNS = [
  "pt1", "eta1", "phi1", "m1", "tau21_1",
  "pt2", "eta2", "phi2", "m2", "tau21_2",
  "mjj", "n_jets",
] as const;
/** Index of m_jj in features.npy (step 5 reads it). */
export const MJJ_COLUMN = 10;

/** Step 4: logistic regression by full-batch gradient descent, fixed so any program can match it. */
export const LOGISTIC = {
  /** Step size of plain gradient descent on the mean binary cross-entropy. */
  learningRate: 0.5,
  /** Full-batch iterations (enough to separate, few enough to run in milliseconds). */
  iterations: 200,
};

/** Step 5: m_jj category edges [GeV]; category k is edges[k] <= mjj < edges[k+1]. */
export const MJJ_EDGES = [0, 2800, 3300, 3700, 4500, Infinity];
/** Index of the signal region (the 3.5 TeV W' resonance of the R&D set) among the categories. */
export const SIGNAL_REGION = 2;
/** An event is selected when its step-4 score is above this. */
export const SCORE_CUT = 0.5;
/** Step 5 significance.npy columns (one row per category). */
export const SIGNIFICANCE_COLUMNS = ["n_events", "n_signal_selected", "n_background_selected", "s_over_sqrt_b", "z_asimov"] as const;

/** Values substituted for `{{NAME}}` in the prompt files. */
export function promptValues(): Record<string, string> {
  return {
    MAX_PARTICLES: String(MAX_PARTICLES),
    JET_R: JET_R.toFixed(1),
    JET_PTMIN: String(JET_PTMIN),
    FEATURE_COLUMNS: FEATURE_COLUMNS.map((c, i) => `${i}: ${c}`).join(", "),
    N_FEATURES: String(FEATURE_COLUMNS.length),
    MJJ_COLUMN: String(MJJ_COLUMN),
    LEARNING_RATE: String(LOGISTIC.learningRate),
    ITERATIONS: String(LOGISTIC.iterations),
    MJJ_EDGES: `[${MJJ_EDGES.map((e) => (Number.isFinite(e) ? String(e) : "Infinity")).join(", ")}]`,
    N_CATEGORIES: String(MJJ_EDGES.length - 1),
    SIGNAL_REGION: String(SIGNAL_REGION),
    SCORE_CUT: String(SCORE_CUT),
    SIGNIFICANCE_COLUMNS: SIGNIFICANCE_COLUMNS.map((c, i) => `${i}: ${c}`).join(", "),
  };
}
