/** `hepllm train --config <json>`: fine-tune an LLM classifier (or the MLP baseline). */
import { parseArgs } from "node:util";
import { readTrainConfig } from "../../train/config";
import { runTraining } from "../../train/run";
import { required } from "../args";
import { Command } from "../command";

const usage = `usage: hepllm train --config <json>

Trains the run the config describes (validated against lib/train/train-config.schema.json):
model folder (Hugging Face Mistral/Llama layout) or the MLP baseline, training/validation JSONL,
LoRA (r, alpha, dropout, targets, rsLoRA), fusion mode (first-token | token | off), optimiser,
schedule, class weights, checkpointing and the selection criterion on val ("selection":
{"metric": "val_auc" | "val_loss"}). Output: <outDir>/<run>/checkpoint-<step>/,
<outDir>/<run>/log.jsonl and <outDir>/<run>/selected.json (the checkpoint chosen on val, never
pruned, the one hepllm eval uses). A run folder that already has checkpoints resumes from the newest.

Example config:
  {"run": "fusion-1-1", "model": {"kind": "llm", "path": "data/demo/base-model"},
   "data": {"train": "data/demo/splits/1-1/train.jsonl", "val": "data/demo/splits/1-1/val.jsonl"},
   "fusion": {"mode": "token"}, "schedule": {"epochs": 1, "batchSize": 8}}`;

export const command: Command = {
  name: "train",
  summary: "fine-tune with LoRA and the fusion adapter (or the MLP baseline) from a JSON config",
  usage,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: true });
    const cfg = readTrainConfig(required(values, "config"));
    const r = await runTraining(cfg);
    const sel = r.selected ? `, selected ${r.selected.checkpoint} (${r.selected.criterion} ${r.selected.value.toFixed(4)})` : "";
    console.log(`trained ${cfg.run}: ${r.steps} steps, last checkpoint ${r.lastCheckpoint}${sel}, log ${r.runDir}/log.jsonl`);
    return 0;
  },
};
