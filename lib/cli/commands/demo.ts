/** `hepllm demo`: the study end to end on simulated events. */
import * as os from "node:os";
import { parseArgs } from "node:util";
import { DEMO_DATA, DEMO_STEPS, QUICK_DATA, runDemo } from "../../demo";
import { int } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm demo [--out data/demo] [--events N] [--seed K] [--jobs N] [--model <dir>] [--real-background <h5>] [--quick]

Runs the study on simulated events, step by step:
${DEMO_STEPS.map((s, i) => `  ${i + 1}. ${s.name}: ${s.description}`).join("\n")}
and prints the test results and a summary with the wall time. <out>/study.json holds the
numbers, <out>/report/interim-report.md the report (replaced on every run), <out>/runs/ the
trainings and <out>/demo.json every step's outputs. The recipe is lib/study/recipe.ts.

options:
  --out <dir>   output folder (default data/demo)
  --events N    simulated labelled events (default ${DEMO_DATA.events}; quick ${QUICK_DATA.events})
  --seed K      seed of the whole demo (default 1)
  --jobs N      worker threads for prepare and trainings at once (default: the number of cores)
  --model <dir> fine-tune this Hugging Face Mistral/Llama folder instead of the study's own base model
  --real-background <h5>  LHCO file whose background joins the signal-free check (default: the real
                tiny file in ../shared when present; "" for none)
  --quick       the one-minute smoke run: ${QUICK_DATA.events} events, the study's quick recipe`;

export const command: Command = {
  name: "demo",
  summary: "run the study end to end on simulated events",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: "string", default: "data/demo" }, events: { type: "string" }, seed: { type: "string" }, jobs: { type: "string" },
        model: { type: "string" }, "real-background": { type: "string" }, quick: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
    const events = int(values, "events");
    if (events !== undefined && events < 1) throw new UsageError("--events must be at least 1");
    const jobs = int(values, "jobs", os.availableParallelism())!;
    if (jobs < 1) throw new UsageError("--jobs must be at least 1");
    const r = await runDemo({
      outDir: values.out as string, events, seed: int(values, "seed", 1)!, jobs,
      model: values.model as string | undefined, quick: values.quick === true,
      realBackground: values["real-background"] as string | undefined,
    });
    console.log(`demo wall time: ${r.seconds.toFixed(1)} s on ${os.availableParallelism()} cores (--jobs ${jobs})`);
    return 0;
  },
};
