/**
 * `hepllm debate --panel <panel.json> (--question <text> | --records <file.jsonl> --id <n>) --out <base>`:
 * runs a debate panel (lib/agents/debate) and saves `<base>.json` and `<base>.md`.
 */
import { parseArgs } from "node:util";
import { Command, UsageError } from "../command";
import { int, required } from "../args";
import { readAllRecords } from "../../dataset/jsonl";
import { runDebate } from "../../agents/debate/debate";
import { readPanel } from "../../agents/debate/panel";
import { eventQuestion } from "../../agents/debate/question";
import { saveTranscript } from "../../agents/debate/transcript";

const usage = `usage: hepllm debate --panel <panel.json> (--question <text> | --records <file.jsonl> --id <n>)
                     --out <base> [--rounds N] [--endpoints <file>] [--quiet]

  --panel <file>      debaters and judge, each an endpoint + model + system prompt (format in
                      lib/agents/debate/panel.ts)
  --question <text>   what to decide; or
  --records <file>    a JSONL file of event records, with --id <n> the event to debate (its
                      truth label is withheld)
  --out <base>        writes <base>.json and <base>.md (atomically)
  --rounds N          overrides the panel's rounds
  --endpoints <file>  endpoints file (default $HEPLLM_ENDPOINTS or ~/.config/hepllm/endpoints.json)
  --quiet             do not print the turns on stderr as they come

Prints the verdict label on stdout (exit 0), or "undecided" (exit 1).`;

export const command: Command = {
  name: "debate",
  summary: "run a debate panel (debaters + judge over OpenAI-compatible endpoints) and save the transcript",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        panel: { type: "string" },
        question: { type: "string" },
        records: { type: "string" },
        id: { type: "string" },
        out: { type: "string" },
        rounds: { type: "string" },
        endpoints: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
      strict: true,
    });
    const panel = readPanel(required(values, "panel"), values.endpoints as string | undefined);
    const out = required(values, "out");
    let question: string;
    if (typeof values.question === "string" && values.question) question = values.question;
    else if (typeof values.records === "string") {
      const id = int(values, "id");
      if (id === undefined) throw new UsageError("--records needs --id");
      const rec = readAllRecords(values.records).find((r) => r.id === id);
      if (!rec) throw new Error(`${values.records}: no record with id ${id}`);
      question = eventQuestion(rec);
    } else throw new UsageError("give --question or --records with --id");
    const rounds = int(values, "rounds", panel.rounds)!;
    const t = await runDebate({
      question,
      rounds,
      labels: panel.labels,
      debaters: panel.debaters,
      judge: panel.judge,
      onTurn: values.quiet ? undefined : (turn) => console.error(`\n[${turn.speaker}, round ${turn.round}, ${turn.role}]\n${turn.content}`),
    });
    const files = saveTranscript(t, out);
    console.error(`\nhepllm debate: transcript ${files.markdown} and ${files.json}`);
    if (t.error) console.error(`hepllm debate: ended early: ${t.error}`);
    console.log(t.verdict?.label ?? "undecided");
    return t.verdict?.label ? 0 : 1;
  },
};
