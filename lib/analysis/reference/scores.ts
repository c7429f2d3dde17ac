/**
 * Reference solution of step 4: logistic regression on standardised features, trained by
 * full-batch gradient descent from zero with the contract's learning rate and iteration count,
 * scoring every event. Deterministic, so a program following the contract matches it.
 */
import { LOGISTIC } from "../contract";
import { NdArray, toFloat64 } from "../npy";

/** Column-standardised copy (population std over non-NaN values; NaN -> 0; constant column -> 0). */
export function standardise(x: Float64Array, n: number, f: number): Float64Array {
  const z = new Float64Array(n * f);
  for (let j = 0; j < f; j++) {
    let cnt = 0, sum = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * f + j];
      if (!Number.isNaN(v)) { cnt++; sum += v; }
    }
    const mean = cnt > 0 ? sum / cnt : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * f + j];
      if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
    }
    const std = cnt > 0 ? Math.sqrt(ss / cnt) : 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * f + j];
      z[i * f + j] = std > 0 && !Number.isNaN(v) ? (v - mean) / std : 0;
    }
  }
  return z;
}

const sigmoid = (t: number): number => 1 / (1 + Math.exp(-t));

/** Scores (N,) for features (N, F) and labels (N,) in {1, 0, -1}. */
export function logisticScores(features: NdArray, labels: NdArray, opts = LOGISTIC): NdArray {
  const [n, f] = features.shape;
  if (features.shape.length !== 2 || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new Error(`features ${JSON.stringify(features.shape)} and labels ${JSON.stringify(labels.shape)} do not match`);
  }
  const z = standardise(toFloat64(features), n, f);
  const y = toFloat64(labels);
  const train: number[] = [];
  for (let i = 0; i < n; i++) if (y[i] === 0 || y[i] === 1) train.push(i);
  const m = train.length;
  const w = new Float64Array(f);
  let b = 0;
  const p = new Float64Array(m);
  for (let it = 0; it < opts.iterations && m > 0; it++) {
    for (let t = 0; t < m; t++) {
      const i = train[t];
      let s = b;
      for (let j = 0; j < f; j++) s += w[j] * z[i * f + j];
      p[t] = sigmoid(s);
    }
    const gw = new Float64Array(f);
    let gb = 0;
    for (let t = 0; t < m; t++) {
      const i = train[t];
      const r = p[t] - y[i];
      gb += r;
      for (let j = 0; j < f; j++) gw[j] += r * z[i * f + j];
    }
    for (let j = 0; j < f; j++) w[j] -= (opts.learningRate * gw[j]) / m;
    b -= (opts.learningRate * gb) / m;
  }
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b;
    for (let j = 0; j < f; j++) s += w[j] * z[i * f + j];
    scores[i] = sigmoid(s);
  }
  return { dtype: "f8", shape: [n], data: scores };
}
