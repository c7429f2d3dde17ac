/**
 * Piecewise-linear encoding (PLE) of every feature with quantile bins, after Gorishniy, Rubachev
 * & Babenko, "On Embeddings for Numerical Features in Tabular Deep Learning" (NeurIPS 2022).
 *
 * Fitting (training events only): per feature j, edges e_j,0 ≤ … ≤ e_j,T at the quantiles k/T,
 * k = 0..T, of the training values (linear interpolation between order statistics, numpy's
 * default). Encoding of a value x of feature j, bin t = 1..T:
 *   PLE_t(x) = clamp((x − e_j,t−1) / (e_j,t − e_j,t−1), 0, 1)
 * (a bin of zero width — repeated quantiles, e.g. a 0/1 flag — is the step x > e_j,t−1).
 * So bins below x are 1, bins above are 0 and x's own bin holds its position: a network can cut
 * at any quantile with one weight, which is what gradient-boosted trees do well and a plain MLP
 * on smooth inputs does badly (narrow mass peaks of the signal).
 * Output row: [x_1..x_F (the scaled values, for extrapolation beyond the edges), PLE of feature 1
 * (T numbers), …, PLE of feature F] — F·(T + 1) numbers.
 */
import type { NumericEncoder, NumericEncoderConfig } from "./encoder";

/** Zero-width bins: a step at the edge (the quotient saturates for any difference above this). */
const MIN_WIDTH = 1e-9;

export class PiecewiseLinearEncoding implements NumericEncoder {
  readonly cfg: NumericEncoderConfig;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Per feature, T + 1 non-decreasing edges; undefined until fitted. */
  edges: number[][] | undefined;

  constructor(cfg: NumericEncoderConfig, inputSize: number) {
    if (!(Number.isInteger(cfg.bins) && cfg.bins >= 1)) throw new Error(`ple encoder: bins must be an integer >= 1, got ${cfg.bins}`);
    this.cfg = cfg;
    this.inputSize = inputSize;
    this.outputSize = inputSize * (cfg.bins + 1);
  }

  fit(x: Float32Array, n: number): void {
    const f = this.inputSize;
    if (n < 2) throw new Error(`ple encoder: fitting needs at least 2 events, got ${n}`);
    if (x.length !== n * f) throw new Error(`ple encoder: ${x.length} values for ${n} rows of ${f}`);
    const t = this.cfg.bins;
    this.edges = [];
    const col = new Float64Array(n);
    for (let j = 0; j < f; j++) {
      for (let i = 0; i < n; i++) col[i] = x[i * f + j];
      col.sort();
      const e: number[] = [];
      for (let k = 0; k <= t; k++) {
        const pos = (k / t) * (n - 1);
        const lo = Math.floor(pos);
        const hi = Math.min(n - 1, lo + 1);
        e.push(col[lo] + (pos - lo) * (col[hi] - col[lo]));
      }
      this.edges.push(e);
    }
  }

  encode(x: Float32Array, n: number): Float32Array {
    const edges = this.edges;
    if (!edges) throw new Error("ple encoder: not fitted (fit it on the training events, or load a checkpoint's numeric_encoder.json)");
    const f = this.inputSize;
    const t = this.cfg.bins;
    const out = new Float32Array(n * this.outputSize);
    for (let i = 0; i < n; i++) {
      const row = i * this.outputSize;
      for (let j = 0; j < f; j++) {
        const v = x[i * f + j];
        out[row + j] = v;
        const e = edges[j];
        const base = row + f + j * t;
        for (let k = 0; k < t; k++) {
          const w = Math.max(e[k + 1] - e[k], MIN_WIDTH);
          out[base + k] = Math.min(1, Math.max(0, (v - e[k]) / w));
        }
      }
    }
    return out;
  }

  state(): unknown {
    return { edges: this.edges ?? null };
  }

  setState(s: unknown, where: string): void {
    const edges = (s as { edges?: unknown } | null)?.edges;
    const ok = Array.isArray(edges) && edges.length === this.inputSize &&
      edges.every((e) => Array.isArray(e) && e.length === this.cfg.bins + 1 && e.every((v, k) => typeof v === "number" && (k === 0 || v >= e[k - 1])));
    if (!ok) throw new Error(`${where}: ple encoder state needs "edges": ${this.inputSize} non-decreasing lists of ${this.cfg.bins + 1} numbers`);
    this.edges = edges as number[][];
  }
}
