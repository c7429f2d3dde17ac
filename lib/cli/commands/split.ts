/** `hepllm split`: labelled records -> train/validation/test files per signal:background ratio. */
import { parseArgs } from "node:util";
import { formatSplitSummary, split } from "../../dataset";
import { int, numList, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm split --in <records.jsonl> --out <dir> [options]

Writes <dir>/<s>-<b>/train.jsonl, val.jsonl and test.jsonl for each signal:background ratio s:b,
and <dir>/split.json with the counts and a sha256 of each set's event ids. No event is in two
sets, across ratios too (1:1 and 1:10 share nothing): signal and background are shuffled with
the seed and cut into the test sets, then the validation sets, then the training sets; the files
are read back and the command fails if any event id sits in two of them. Every set holds whole
units of s + b events, so its ratio is exact. Test and validation sets together take at most half
of each class (all of it with --train-size 0); training sets take what remains (shared equally
between ratios) or --train-size. When records run short, sets shrink (ratio kept) with a warning.

options:
  --in <file>          labelled JSONL records (from hepllm prepare or import-features)
  --out <dir>          output folder
  --ratios LIST        signal:background ratios (default 1:1,1:10)
  --val-size LIST      validation events per ratio, or one for all
                       (default 1000,8000 for two ratios, else 1000 each)
  --test-size LIST     test events per ratio, or one for all (default: the validation sizes)
  --train-size LIST    training events per ratio, or one for all; 0 = no training set
                       (default: share all that remain)
  --seed K             shuffle seed (default 42)`;

/** "1:1,1:10" -> [[1, 1], [1, 10]]. */
export function parseRatios(text: string): Array<[number, number]> {
  return text.split(",").map((r) => {
    const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(r);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
      throw new UsageError(`--ratios: ${JSON.stringify(r)} is not signal:background with positive integers (e.g. 1:10)`);
    }
    return [Number(m[1]), Number(m[2])];
  });
}

function sizes(values: Record<string, unknown>, name: string, n: number): number[] | undefined {
  const xs = numList(values, name);
  if (xs === undefined) return undefined;
  if (xs.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError(`--${name}: sizes must be whole numbers >= 0`);
  if (xs.length !== 1 && xs.length !== n) throw new UsageError(`--${name}: give one size, or one per ratio (${n})`);
  return xs;
}

export const command: Command = {
  name: "split",
  summary: "split records into disjoint train/validation/test sets per signal:background ratio",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        in: { type: "string" },
        out: { type: "string" },
        ratios: { type: "string", default: "1:1,1:10" },
        "val-size": { type: "string" },
        "test-size": { type: "string" },
        "train-size": { type: "string" },
        seed: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    const ratios = parseRatios(values.ratios as string);
    const valSizes = sizes(values, "val-size", ratios.length) ?? (ratios.length === 2 ? [1000, 8000] : [1000]);
    const summary = split({
      input: required(values, "in"),
      outDir: required(values, "out"),
      ratios,
      valSizes,
      testSizes: sizes(values, "test-size", ratios.length),
      trainSizes: sizes(values, "train-size", ratios.length),
      seed: int(values, "seed", 42)!,
      progress: true,
    });
    console.log(formatSplitSummary(summary));
    return 0;
  },
};
