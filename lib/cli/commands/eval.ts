/** `hepllm eval --run <dir> [--checkpoint N] --data <jsonl>`: score a checkpoint on a labelled set. */
import { parseArgs } from "node:util";
import { metricsSummary } from "../../report/summary";
import { evaluateRun } from "../../train/run";
import { int, required } from "../args";
import { Command } from "../command";

const usage = `usage: hepllm eval --run <dir> --data <jsonl> [--checkpoint N] [--dataset "1:1 @1000"] [--max-events N] [--batch-size N] [--json]

Scores every event of <jsonl> with the run's checkpoint (the one it selected on val, selected.json,
else the newest; or --checkpoint N), prints
accuracy, balanced accuracy, per-class precision/recall/F1, AUC, background rejection 1/εB at
εS = 0.3 and 0.5 and max SIC, each with its bootstrap interval (level stated), writes the
per-event scores beside the run and appends the evaluation to <dir>/log.jsonl (a row of the
results table). A metric the sample cannot support (too few background events passing the cut)
is n/a with the reason; in --json it is null with the reason under "unsupported".

  --json   the full log entry as JSON: metrics with "intervals", "intervalLevel", "unsupported"`;

export const command: Command = {
  name: "eval",
  summary: "evaluate a run's checkpoint on a labelled JSONL set",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        run: { type: "string" }, data: { type: "string" }, checkpoint: { type: "string" }, dataset: { type: "string" },
        "max-events": { type: "string" }, "batch-size": { type: "string" }, json: { type: "boolean" },
      },
      strict: true,
    });
    const entry = await evaluateRun(required(values, "run"), required(values, "data"), {
      checkpoint: int(values, "checkpoint"),
      dataset: values.dataset as string | undefined,
      maxEvents: int(values, "max-events"),
      batchSize: int(values, "batch-size"),
    });
    if (values.json) {
      console.log(JSON.stringify(entry, null, 2));
      return 0;
    }
    const m = entry.metrics;
    console.log(`${entry.run} ${entry.checkpoint} on ${entry.dataset} (${m.n} events, numeric input ${entry.numericInput})`);
    for (const line of metricsSummary(m)) console.log(line);
    return 0;
  },
};
