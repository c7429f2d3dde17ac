/**
 * `hepllm agent --question <text> [--records <file.jsonl>]`: a tool-using agent over an
 * OpenAI-compatible endpoint with the analysis tools (cluster_event, mjj_histogram, bump_hunt)
 * bound to an event sample.
 */
import { parseArgs } from "node:util";
import { Command, UsageError } from "../command";
import { int, required } from "../args";
import { readAllRecords } from "../../dataset/jsonl";
import { runAgent } from "../../agents/loop";
import { OpenAIClient } from "../../agents/openai/client";
import { analysisTools } from "../../agents/tools";
import { writeFileAtomic } from "../../util/atomic";
import { loadRunClassifier } from "../../train/run";

const usage = `usage: hepllm agent --question <text> [--records <file.jsonl>] [--classifier <run> [--checkpoint N]] [--endpoint NAME | --base-url URL]
                    [--model M] [--max-steps 8] [--transcript <file.json>] [--endpoints <file>]

  --question <text>     the task, e.g. "Is there a resonance in m_jj between 2 and 5 TeV?"
  --records <file>      JSONL event records the tools read (M_jj for mjj_histogram and bump_hunt)
  --classifier <run>    a fine-tuned run folder (checkpoints/<run>): enables classify_event (P(signal))
  --checkpoint N        its checkpoint step (default the newest)
  --endpoint NAME       an entry of the endpoints file; default: $OPENAI_BASE_URL/$OPENAI_API_KEY,
                        else the file's default entry
  --base-url URL        an endpoint given directly (key from $OPENAI_API_KEY)
  --model M             model id (default: the endpoint's model)
  --max-steps N         model calls at most (default 8)
  --transcript <file>   save the whole conversation as JSON
  --endpoints <file>    endpoints file (default $HEPLLM_ENDPOINTS or ~/.config/hepllm/endpoints.json)

Prints the final answer on stdout (exit 0); another stop reason exits 1.`;

const SYSTEM =
  "You are a particle physicist analysing LHC dijet events. Use the tools to compute what you need; never invent numbers. " +
  "When you have the answer, reply in plain text without calling tools, quoting the numbers you used.";

export const command: Command = {
  name: "agent",
  summary: "answer a question with a tool-using model (jets, m_jj histogram, bump hunt)",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        question: { type: "string" },
        records: { type: "string" },
        endpoint: { type: "string" },
        "base-url": { type: "string" },
        model: { type: "string" },
        "max-steps": { type: "string" },
        transcript: { type: "string" },
        endpoints: { type: "string" },
        classifier: { type: "string" },
        checkpoint: { type: "string" },
      },
      strict: true,
    });
    const question = required(values, "question");
    const endpointsFile = values.endpoints as string | undefined;
    const client = values["base-url"]
      ? new OpenAIClient({ baseURL: values["base-url"] as string, apiKey: process.env.OPENAI_API_KEY })
      : values.endpoint
        ? OpenAIClient.fromEndpoint(values.endpoint as string, endpointsFile)
        : OpenAIClient.fromEnv("OPENAI", endpointsFile);
    const model = (values.model as string | undefined) ?? client.defaultModel;
    if (!model) throw new UsageError("no model: give --model (the endpoint names no default)");
    const records = values.records ? readAllRecords(values.records as string) : undefined;
    const loaded = values.classifier ? await loadRunClassifier(values.classifier as string, int(values, "checkpoint")) : undefined;
    const tools = analysisTools({ records, classifier: loaded?.clf });
    const r = await runAgent(
      {
        client,
        model,
        tools,
        system: SYSTEM,
        maxSteps: int(values, "max-steps", 8),
        onEvent: (e) => {
          if (e.kind === "tool") console.error(`[step ${e.step}] ${e.call.function.name}(${e.call.function.arguments}) -> ${e.outcome.ok ? "ok" : e.outcome.content}`);
        },
      },
      question,
    );
    if (values.transcript) writeFileAtomic(values.transcript as string, JSON.stringify({ model, question, ...r }, null, 2) + "\n");
    console.error(`hepllm agent: ${r.reason} after ${r.steps} model calls, ${r.toolRuns.length} tool calls, ${r.usage.total_tokens} tokens${r.detail ? ` (${r.detail})` : ""}`);
    if (r.answer !== null) console.log(r.answer);
    loaded?.clf.dispose();
    return r.reason === "final_answer" ? 0 : 1;
  },
};
