/**
 * `mjj_histogram`: the dijet invariant-mass spectrum in fixed-width bins, from the analysis
 * sample the tool was built with (or from `values` sent by the model).
 */
import type { Tool } from "./tool";

/** Where m_jj values come from when the model sends none [GeV]. */
export type MjjSource = () => number[] | Promise<number[]>;

export interface Histogram {
  /** bins + 1 edges [GeV]. */
  edges: number[];
  counts: number[];
  /** Values below range[0] / above range[1]. */
  underflow: number;
  overflow: number;
  /** Values inside the range. */
  total: number;
}

/** Fixed-width histogram; bins are [lo, hi) except the last, which includes hi (as numpy). */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new Error(`range must have lo < hi, got [${lo}, ${hi}]`);
  const counts = new Array<number>(bins).fill(0);
  let underflow = 0;
  let overflow = 0;
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) underflow++;
    else if (v > hi) overflow++;
    else counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, k) => lo + k * width);
  return { edges, counts, underflow, overflow, total: counts.reduce((a, c) => a + c, 0) };
}

export async function resolveValues(values: number[] | undefined, source: MjjSource | undefined): Promise<number[]> {
  if (values) return values;
  if (!source) throw new Error("no m_jj sample is loaded; pass `values`");
  return source();
}

export const RANGE_SCHEMA = {
  type: "array",
  items: { type: "number" },
  minItems: 2,
  maxItems: 2,
  description: "[low, high] in GeV",
};

export function mjjHistogramTool(source?: MjjSource): Tool<{ bins: number; range: [number, number]; values?: number[] }> {
  return {
    name: "mjj_histogram",
    description:
      "Histogram of the dijet invariant mass m_jj [GeV] of the loaded event sample (or of `values`). Returns bin edges, counts, underflow and overflow.",
    parameters: {
      type: "object",
      properties: {
        bins: { type: "integer", minimum: 1, maximum: 1000, description: "number of equal-width bins" },
        range: RANGE_SCHEMA,
        values: { type: "array", items: { type: "number" }, description: "m_jj values [GeV]; omit to use the loaded sample" },
      },
      required: ["bins", "range"],
      additionalProperties: false,
    },
    async run(args) {
      const values = await resolveValues(args.values, source);
      return histogram(values, args.bins, args.range[0], args.range[1]);
    },
  };
}
