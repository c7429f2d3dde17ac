/** `hepllm table`: the study's results table (Markdown, CSV, HTML) from run logs. */
import { parseArgs } from "node:util";
import { writeResultsTable } from "../../report/results";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm table --runs <dir> [<dir> ...] [--out reports/results]

Reads <dir>/log.jsonl of each run (the trainer's log; a .jsonl path is read as is) and writes one
row per evaluated checkpoint and dataset — Date, Dataset, Checkpoint, Numeric Input, Accuracy,
Background Precision, Signal Precision, F1 Score Signal, F1 Score Background, AUC, Max SIC,
Balanced Accuracy, Background Recall, Signal Recall, 1/εB @ εS=0.3, 1/εB @ εS=0.5, Run — to <out>.md, <out>.csv and
<out>.html (listed in the folder's manifest.json). Each metric cell is "value [low, high]" with the
interval level in the caption; an n/a cell points to a note giving the reason.

options:
  --runs <dir>...   run folders (checkpoints/<run>), several allowed (also --runs a --runs b)
  --out <prefix>    output path without extension (default reports/results)`;

export const command: Command = {
  name: "table",
  summary: "write the results table (Markdown + CSV) from run logs",
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { runs: { type: "string", multiple: true }, out: { type: "string", default: "reports/results" } },
      strict: true,
      allowPositionals: true,
    });
    // `--runs a b c`: parseArgs gives the first to --runs and the rest as positionals.
    const runs = [...(values.runs ?? []), ...positionals];
    if (runs.length === 0) throw new UsageError("--runs is required (one or more run folders)");
    if (values.runs === undefined) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} (give run folders after --runs)`);
    const out = values.out as string;
    const written = writeResultsTable(runs, out);
    console.log(`${written.rows} evaluated checkpoint(s) from ${runs.length} run(s) -> ${written.md}, ${written.csv}, ${written.html}`);
    return 0;
  },
};
