/** `hepllm eval --run <dir> [--checkpoint N] --data <jsonl>`: score a checkpoint on a labelled set. */
import { parseArgs } from "node:util";
import { evaluateRun } from "../../train/run";
import { int, required } from "../args";
import { Command } from "../command";

const usage = `usage: hepllm eval --run <dir> --data <jsonl> [--checkpoint N] [--dataset "1:1 @1000"] [--max-events N] [--batch-size N] [--json]

Scores every event of <jsonl> with the run's checkpoint (the one it selected on val, selected.json,
else the newest; or --checkpoint N), prints
accuracy, per-class precision/recall/F1, AUC, background rejection and max SIC, writes the
per-event scores beside the run and appends the evaluation to <dir>/log.jsonl (a row of the
results table).`;

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
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
    console.log(`${entry.run} ${entry.checkpoint} on ${entry.dataset} (${m.n} events, numeric input ${entry.numericInput})`);
    console.log(`  accuracy ${f(m.accuracy)}  AUC ${f(m.auc)}  max SIC ${f(m.maxSic)}  1/εB@εS=0.3 ${f(m.rejection30)}  @0.5 ${f(m.rejection50)}`);
    console.log(`  signal     precision ${f(m.signal.precision)} recall ${f(m.signal.recall)} F1 ${f(m.signal.f1)}`);
    console.log(`  background precision ${f(m.background.precision)} recall ${f(m.background.recall)} F1 ${f(m.background.f1)}`);
    return 0;
  },
};
