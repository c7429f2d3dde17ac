/** `hepllm demo`: the study end to end on a small simulated data set. */
import { parseArgs } from "node:util";
import { DEMO_STEPS, runDemo } from "../../demo";
import { int } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm demo [--out data/demo] [--events N] [--seed K] [--jobs N] [--model <dir>] [--quick]

Runs the study on a small simulated data set, step by step:
${DEMO_STEPS.map((s, i) => `  ${i + 1}. ${s.name}: ${s.description}`).join("\n")}
and prints a summary; <out>/demo.json lists every step's outputs.

options:
  --out <dir>   output folder (default data/demo)
  --events N    simulated events (default 4000)
  --seed K      seed of the whole demo (default 1)
  --jobs N      worker threads for prepare (default: the number of cores)
  --model <dir> fine-tune this Hugging Face Mistral/Llama folder instead of the demo's own base model
  --pretrain-steps N   pre-training steps of the demo's base model (default 150)
  --train-events N     fine-tune the LLM on at most N events (default 1200)
  --epochs N           fine-tuning epochs of the LLM runs (default 4)
  --val-events N       evaluate on at most N events per validation set (default all)
  --runs <dir>  folder of the training runs (default checkpoints/demo)
  --reports <dir>  folder of the report (default reports)
  --quick       a minute-long smoke run: 600 events, 10 pre-training steps, 48 training events`;

export const command: Command = {
  name: "demo",
  summary: "run the study end to end on a small simulated data set",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: "string", default: "data/demo" }, events: { type: "string" }, seed: { type: "string" }, jobs: { type: "string" },
        model: { type: "string" }, "pretrain-steps": { type: "string" }, "train-events": { type: "string" }, "val-events": { type: "string" }, epochs: { type: "string" },
        runs: { type: "string" }, reports: { type: "string" }, quick: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
    const quick = values.quick === true;
    const events = int(values, "events", quick ? 600 : 4000)!;
    if (events < 1) throw new UsageError("--events must be at least 1");
    const jobs = int(values, "jobs");
    if (jobs !== undefined && jobs < 1) throw new UsageError("--jobs must be at least 1");
    await runDemo({
      outDir: values.out as string, events, seed: int(values, "seed", 1)!, jobs,
      model: values.model as string | undefined,
      pretrainSteps: int(values, "pretrain-steps", quick ? 10 : undefined),
      trainEvents: int(values, "train-events", quick ? 48 : 1200),
      valEvents: int(values, "val-events", quick ? 60 : undefined),
      epochs: int(values, "epochs", quick ? 1 : undefined),
      runsDir: values.runs as string | undefined,
      reportsDir: values.reports as string | undefined,
    });
    return 0;
  },
};
