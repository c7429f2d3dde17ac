/**
 * `hepllm logits`: the model's logits at the last position of a token sequence, as a JSON array
 * (for checking a model or an adapter against another implementation).
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { Command, UsageError } from "../command";
import { numList, required } from "../args";
import { loadAdapter, loadModel } from "../../llm";

const usage = `usage: hepllm logits --model <dir> --ids 1,2,3 [--adapter <dir> [--lora-only]]

  --model <dir>     model folder (config.json + model.safetensors)
  --ids <list>      comma-separated token ids
  --adapter <dir>   LoRA adapter folder (PEFT layout) applied to the model
  --lora-only       with a classifier checkpoint that has a fusion adapter: apply its LoRA weights alone
  --low-memory      keep weights as bfloat16 on the host (large models; slower, less exact)`;

export const command: Command = {
  name: "logits",
  summary: "print the last-position logits of a token sequence as a JSON array",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: "string" },
        ids: { type: "string" },
        adapter: { type: "string" },
        "lora-only": { type: "boolean", default: false },
        "low-memory": { type: "boolean", default: false },
      },
      strict: true,
    });
    const dir = required(values, "model");
    required(values, "ids");
    const ids = numList(values, "ids")!;
    if (ids.length === 0 || !ids.every((x) => Number.isInteger(x) && x >= 0)) throw new UsageError("--ids must be non-negative integers");
    const model = await loadModel(dir, { lowMemory: values["low-memory"] });
    if (values.adapter) loadAdapter(model, values.adapter, { loraOnly: values["lora-only"] });
    const out = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], "int32"), { positions: "last" }));
    const row = Array.from(await out.data()); // async: webgpu has no synchronous read
    out.dispose();
    console.log(JSON.stringify(row));
    model.dispose();
    return 0;
  },
};
