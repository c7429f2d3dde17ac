/** `hepllm split`: labelled records -> train/validation files per signal:background ratio. */
import { parseArgs } from "node:util";
import { formatSplitSummary, split } from "../../dataset";
import { int, numList, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm split --in <records.jsonl> --out <dir> [options]

Writes <dir>/<s>-<b>/train.jsonl and val.jsonl for each signal:background ratio s:b, and
<dir>/split.json with the counts. Signal and background are shuffled with the seed; one global
validation pool (sized for the largest validation set) is set aside first, so no validation
event of any set is in any training file. Every set holds whole units of s + b events, so its
ratio is exact. Validation takes at most half of each class; training takes as many events as
remain (or --train-size). When signal runs short, sets shrink (ratio kept) with a warning.

options:
  --in <file>          labelled JSONL records (from hepllm prepare)
  --out <dir>          output folder
  --ratios LIST        signal:background ratios (default 1:1,1:10)
  --val-size LIST      validation events per ratio, or one for all
                       (default 1000,8000 for two ratios, else 1000 each)
  --train-size LIST    cap on training events per ratio, or one for all (default: all that remain)
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
  summary: "split records into train/validation sets per signal:background ratio",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        in: { type: "string" },
        out: { type: "string" },
        ratios: { type: "string", default: "1:1,1:10" },
        "val-size": { type: "string" },
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
      trainSizes: sizes(values, "train-size", ratios.length),
      seed: int(values, "seed", 42)!,
      progress: true,
    });
    console.log(formatSplitSummary(summary));
    return 0;
  },
};
