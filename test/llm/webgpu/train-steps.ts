/**
 * 20 LoRA + fusion training steps of a small classifier (the production LlmClassifier, AdamW and
 * optimiser step), deterministic from fixed seeds, on whatever backend is current; then scoring
 * and a checkpoint written as the trainer writes it. The webgpu test
 * runs it in its own process and in a child process on wasm (`node --import tsx <this file>`
 * prints the wasm result as JSON), then compares the two.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, initModel, PRESETS } from "../../../lib/llm";
import { syntheticRecords, trainPromptTokenizer } from "../../../lib/prompts";
import { LlmClassifier } from "../../../lib/train/llm-classifier";
import { MlpBaseline } from "../../../lib/train/mlp-baseline";
import { AdamW } from "../../../lib/train/adamw";
import { optimiserStepAsync } from "../../../lib/train/step";
import { saveCheckpoint } from "../../../lib/train/checkpoint";
import { readTensorFile } from "../../../lib/train/tensor-file";
import { onHost } from "../../../lib/llm/kernels/read";
import { tempDir } from "../support";

export const STEPS = 20;

export interface StepsResult {
  backend: string;
  /** Loss of every step (before its update). */
  losses: number[];
  /** Every trainable value after the last step, group by group. */
  params: number[];
  /** P(signal) of the 8 records after training (label likelihood, KV-cache fork). */
  scores: number[];
  /** Every value of the checkpoint written after training (adapter, fusion, optimiser state), by file and tensor name. */
  saved: number[];
  /** The MLP baseline: losses of the same number of steps, then P(signal) and its saved weights. */
  mlp: { losses: number[]; scores: number[]; saved: number[] };
}

export async function trainSteps(): Promise<StepsResult> {
  const tok = trainPromptTokenizer({ vocabSize: 512, seed: 1 });
  const recs = [...syntheticRecords(8, 5)];
  const model = initModel({ ...PRESETS.tiny, vocabSize: tok.vocabSize }, 11);
  const clf = new LlmClassifier(model, tok, {
    lora: { r: 4, alpha: 8, dropout: 0, targets: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], rslora: false },
    fusion: { mode: "token", dropout: 0 },
    prompt: {},
    maxJets: 2,
    seed: 3,
  });
  const opt = new AdamW(clf.paramGroups({ weightDecay: 0.01, fusionLrScale: 2 }));
  try {
    const losses: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      const batch = [0, 1, 2, 3].map((i) => recs[(4 * s + i) % recs.length]);
      const { loss } = await optimiserStepAsync(opt, [() => clf.loss(batch, { seed: s })], 3e-3, 1.0);
      losses.push(loss);
    }
    const params: number[] = [];
    for (const g of clf.paramGroups({ weightDecay: 0, fusionLrScale: 1 })) for (const v of g.variables) params.push(...(await v.data()));
    const scores = await clf.score(recs, { batchSize: 4 });
    const dir = tempDir("webgpu-ckpt");
    const saved: number[] = [];
    try {
      const ckpt = await onHost(() => saveCheckpoint(dir, clf, opt, { step: STEPS, epoch: 0, offset: 0, rng: [1, 2, 3, 4] }, {}, 0));
      for (const f of ["adapter_model.safetensors", "fusion_adapter.safetensors", "optimizer.safetensors"]) {
        const { tensors } = readTensorFile(path.join(ckpt, f));
        for (const name of [...tensors.keys()].sort()) saved.push(...tensors.get(name)!.data);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return { backend: tf.getBackend(), losses, params, scores, saved, mlp: await mlpSteps(recs) };
  } finally {
    opt.dispose();
    clf.dispose();
    model.dispose();
  }
}

if (require.main === module) {
  initBackend("wasm")
    .then(trainSteps)
    .then((r) => process.stdout.write(JSON.stringify(r)))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}

async function mlpSteps(recs: ReturnType<typeof syntheticRecords> extends Iterable<infer R> ? R[] : never): Promise<StepsResult["mlp"]> {
  const mlp = new MlpBaseline({ hidden: [32, 32], maxJets: 2, dropout: 0 }, 5);
  mlp.fitInputs?.(recs);
  const opt = new AdamW(mlp.paramGroups({ weightDecay: 0.01 }));
  const dir = tempDir("webgpu-mlp");
  try {
    const losses: number[] = [];
    for (let s = 0; s < STEPS; s++) losses.push((await optimiserStepAsync(opt, [() => mlp.loss(recs, { seed: s })], 1e-2, 1.0)).loss);
    const scores = await mlp.score(recs);
    await onHost(() => mlp.save(dir));
    const saved = (JSON.parse(fs.readFileSync(path.join(dir, "mlp_weights.json"), "utf8")) as { w: number[]; b: number[] }[]).flatMap((l) => [...l.w, ...l.b]);
    return { losses, scores, saved };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    opt.dispose();
    mlp.dispose();
  }
}
