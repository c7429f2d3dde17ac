/**
 * `hepllm generate`: continues a prompt (text through the folder's tokenizer, or raw ids) with
 * the model, greedily or by seeded temperature/top-p sampling, optionally through a LoRA adapter.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { Command, UsageError } from "../command";
import { int, num, numList, required } from "../args";
import { generateAsync, loadAdapter, loadModel } from "../../llm";
import { loadTokenizer } from "../../tokenizer";

const usage = `usage: hepllm generate --model <dir> (--prompt <text> | --ids 1,2,3) [options]

  --model <dir>          model folder (config.json, model.safetensors, tokenizer.json)
  --prompt <text>        prompt text, encoded with the folder's tokenizer (BOS as its config says)
  --ids <list>           prompt as comma-separated token ids instead
  --max-new-tokens <N>   stop after N new tokens (default 64)
  --greedy               arg-max decoding (the default unless --temperature is given)
  --temperature <T>      sample from softmax(logits / T)
  --top-p <P>            nucleus sampling mass in (0, 1] (default 1)
  --seed <K>             sampler seed (default 0)
  --stop <list>          stop token ids (default: the model's EOS)
  --adapter <dir>        LoRA adapter folder (PEFT layout) applied to the model
  --lora-only            with a classifier checkpoint that has a fusion adapter: apply its LoRA weights alone
  --low-memory           keep weights as bfloat16 on the host (large models; slower)
  --json                 print {"ids": [new ids], "text": "<generated text>"} instead of the text`;

export const command: Command = {
  name: "generate",
  summary: "generate text with a model folder (greedy or sampled, optional LoRA adapter)",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: "string" },
        prompt: { type: "string" },
        ids: { type: "string" },
        "max-new-tokens": { type: "string" },
        greedy: { type: "boolean", default: false },
        temperature: { type: "string" },
        "top-p": { type: "string" },
        seed: { type: "string" },
        stop: { type: "string" },
        adapter: { type: "string" },
        "lora-only": { type: "boolean", default: false },
        "low-memory": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
      },
      strict: true,
    });
    const dir = required(values, "model");
    if ((values.prompt === undefined) === (values.ids === undefined)) throw new UsageError("give exactly one of --prompt and --ids");
    const maxNewTokens = int(values, "max-new-tokens", 64)!;
    if (maxNewTokens < 0) throw new UsageError("--max-new-tokens must be ≥ 0");
    const temperature = num(values, "temperature");
    if (temperature !== undefined && !(temperature > 0)) throw new UsageError("--temperature must be > 0");
    if (values.greedy && temperature !== undefined) throw new UsageError("--greedy and --temperature exclude each other");
    const topP = num(values, "top-p");
    if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new UsageError("--top-p must be in (0, 1]");
    const seed = int(values, "seed", 0);

    const tok = fs.existsSync(path.join(dir, "tokenizer.json")) ? loadTokenizer(dir) : undefined;
    let prompt: number[];
    if (values.prompt !== undefined) {
      if (!tok) throw new Error(`${dir}: --prompt needs tokenizer.json in the model folder (or use --ids)`);
      prompt = tok.encode(values.prompt, { bos: tok.addBosByDefault });
    } else {
      prompt = numList(values, "ids")!;
      if (!prompt.every((x) => Number.isInteger(x) && x >= 0)) throw new UsageError("--ids must be non-negative integers");
    }
    const model = await loadModel(dir, { lowMemory: values["low-memory"] });
    if (values.adapter) loadAdapter(model, values.adapter, { loraOnly: values["lora-only"] });
    const eos = model.config.eosTokenId ?? tok?.eosId;
    const stopIds = numList(values, "stop") ?? (eos !== undefined ? [eos] : []);

    let printed = "";
    const ids: number[] = [];
    const stream = !values.json && tok !== undefined;
    await generateAsync(model, prompt, {
      maxNewTokens,
      greedy: temperature === undefined,
      temperature,
      topP,
      seed,
      stopIds,
      onToken: (id) => {
        ids.push(id);
        if (!stream) return;
        // A character spread over byte-fallback tokens decodes as U+FFFD until its last byte
        // arrives: hold trailing replacement characters back instead of printing them.
        const text = tok!.decode(ids).replace(/\uFFFD+$/, "");
        if (text.length <= printed.length) return;
        process.stdout.write(text.slice(printed.length));
        printed = text;
      },
    });
    const text = tok ? tok.decode(ids) : "";
    if (values.json) console.log(JSON.stringify({ ids, text }));
    else if (stream) process.stdout.write(text.slice(printed.length) + "\n");
    else console.log(ids.join(","));
    model.dispose();
    return 0;
  },
};
