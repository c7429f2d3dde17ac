/**
 * Reference solution of step 5: m_jj categories per event and, per category, the selected signal
 * and background counts with s/sqrt(b) and the Asimov significance
 * Z = sqrt(2((s + b) ln(1 + s/b) - s)) (Cowan et al. 2011), NaN when b = 0.
 */
import { MJJ_COLUMN, MJJ_EDGES, SCORE_CUT, SIGNIFICANCE_COLUMNS } from "../contract";
import { NdArray, toFloat64 } from "../npy";

/** Category index of an m_jj value: k with edges[k] <= mjj < edges[k+1], -1 for NaN or outside. */
export function mjjCategory(mjj: number, edges: number[] = MJJ_EDGES): number {
  if (Number.isNaN(mjj)) return -1;
  for (let k = 0; k + 1 < edges.length; k++) if (mjj >= edges[k] && mjj < edges[k + 1]) return k;
  return -1;
}

export function asimovSignificance(s: number, b: number): number {
  if (!(b > 0)) return NaN;
  return Math.sqrt(2 * ((s + b) * Math.log(1 + s / b) - s));
}

export function categorise(features: NdArray, labels: NdArray, scores: NdArray): { categories: NdArray; significance: NdArray } {
  const [n, f] = features.shape;
  if (labels.shape[0] !== n || scores.shape[0] !== n) {
    throw new Error(`features (${n} rows), labels (${labels.shape[0]}) and scores (${scores.shape[0]}) differ in length`);
  }
  const x = toFloat64(features), y = toFloat64(labels), sc = toFloat64(scores);
  const k = MJJ_EDGES.length - 1;
  const nc = SIGNIFICANCE_COLUMNS.length;
  const cats = new BigInt64Array(n);
  const table = new Float64Array(k * nc);
  for (let i = 0; i < n; i++) {
    const c = mjjCategory(x[i * f + MJJ_COLUMN]);
    cats[i] = BigInt(c);
    if (c < 0) continue;
    table[c * nc] += 1;
    if (sc[i] > SCORE_CUT) {
      if (y[i] === 1) table[c * nc + 1] += 1;
      else if (y[i] === 0) table[c * nc + 2] += 1;
    }
  }
  for (let c = 0; c < k; c++) {
    const s = table[c * nc + 1], b = table[c * nc + 2];
    table[c * nc + 3] = b > 0 ? s / Math.sqrt(b) : NaN;
    table[c * nc + 4] = asimovSignificance(s, b);
  }
  return { categories: { dtype: "i8", shape: [n], data: cats }, significance: { dtype: "f8", shape: [k, nc], data: table } };
}
