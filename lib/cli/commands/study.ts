/** `hepllm study`: the whole study (three arms × seeds, test intervals, paired differences, signal-free check) on the user's records. */
import * as os from "node:os";
import { parseArgs } from "node:util";
import { recipeFor, runStudy } from "../../study";
import { int, numList } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm study (--records <jsonl> | --train <jsonl> --val <jsonl> --test <jsonl> [--test ...]) --out <dir>
                    [--background-only <jsonl> ...] [--model <dir>] [--seed K] [--jobs N] [--quick]
                    [--test-size 2000,4950] [--val-size 400,440] [--train-size N]

The study, on your labelled records (lib/study/recipe.ts holds every setting, with its reason):
  1. data: --records is split into disjoint 1:1 train/val/test and 1:10 val/test sets
     (<out>/splits/), or --train, --val and --test files are used as given;
  2. base model: --model, or a small Mistral-architecture model pre-trained on the training
     records' prompts (no labels) into <out>/base-model;
  3. trainings: the arms llm-fusion (prompt + fusion vector), llm-text (prompt only, with τ21/τ32
     so it carries the same numbers) and mlp (the vector only), each with every seed of the
     recipe, N at a time in child processes; each run selects its checkpoint on val;
  4. evaluation: the selected checkpoints on every test file, with bootstrap intervals, and
     mean ± std over seeds;
  5. paired differences between arms on the same test events, with their intervals;
  6. signal-free check: false-positive rate on each --background-only file at the cut that keeps
     εS = 0.3 of the validation signal.
Writes <out>/study.json (arm → test file → metrics as \`hepllm eval --json\` gives them) and
<out>/report/interim-report.md (replaced on every run); runs go to <out>/runs/.

options:
  --jobs N            trainings at once (default: the number of cores)
  --seed K            seed of the split and of the base model (default 1); training seeds come from the recipe
  --quick             the smoke-test recipe (tiny trainings)`;

export const command: Command = {
  name: "study",
  summary: "the whole study on your records: three arms × seeds, test intervals, paired differences, signal-free check",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        records: { type: "string" }, train: { type: "string" }, val: { type: "string" }, test: { type: "string", multiple: true },
        "background-only": { type: "string", multiple: true }, out: { type: "string" }, model: { type: "string" },
        seed: { type: "string" }, jobs: { type: "string" }, quick: { type: "boolean" },
        "test-size": { type: "string" }, "val-size": { type: "string" }, "train-size": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.out) throw new UsageError("--out is required");
    const records = values.records as string | undefined;
    const tests = (values.test as string[] | undefined) ?? [];
    if (records && (values.train || values.val || tests.length)) throw new UsageError("give either --records or --train/--val/--test, not both");
    if (!records && !(values.train && values.val && tests.length)) throw new UsageError("give --records <jsonl>, or --train, --val and at least one --test");
    const jobs = int(values, "jobs", os.availableParallelism?.() ?? os.cpus().length)!;
    if (jobs < 0) throw new UsageError("--jobs must be at least 0");
    const testSizes = numList(values, "test-size");
    const valSizes = numList(values, "val-size");
    if ((testSizes || valSizes || values["train-size"]) && !records) throw new UsageError("--test-size, --val-size and --train-size apply to --records");
    if (Boolean(testSizes) !== Boolean(valSizes)) throw new UsageError("--test-size and --val-size go together");
    for (const [flag, xs] of [["test-size", testSizes], ["val-size", valSizes]] as const) {
      if (xs && xs.length !== 2) throw new UsageError(`--${flag} takes two sizes: 1:1,1:10`);
    }
    const quick = values.quick === true;
    const r = await runStudy({
      outDir: values.out as string, recipe: recipeFor(quick), quick,
      records, train: values.train as string | undefined, val: values.val as string | undefined, tests,
      split: {
        ...(testSizes && valSizes ? { testSizes: testSizes as [number, number], valSizes: valSizes as [number, number] } : {}),
        ...(values["train-size"] ? { trainSize: int(values, "train-size") } : {}),
      },
      backgroundOnly: values["background-only"] as string[] | undefined,
      model: values.model as string | undefined, seed: int(values, "seed", 1)!, jobs,
    });
    console.log("");
    console.log(r.report.table);
    console.log(`\nstudy.json: ${r.file}\nreport: ${r.report.markdown} (${r.report.files} files)`);
    return 0;
  },
};
