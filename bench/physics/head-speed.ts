/**
 * Scoring speed of the two heads on the demo's base-model architecture (DEMO_MODEL, random
 * weights: speed does not depend on them): events/s of `head: "lm"` against `head: "linear"`
 * through `score()`, i.e. the batched scorer (lib/train/batch-scorer.ts: both labels scored
 * inside the prompt pass for "lm"; the last hidden state for "linear"). Same records, same batch size.
 *   node --import tsx bench/physics/head-speed.ts [events=256] [batch=16]
 */
import { initBackend } from "../../lib/llm";
import { STUDY_RECIPE } from "../../lib/study";
import { syntheticRecords, trainPromptTokenizer } from "../../lib/prompts";
import { initBaseModel } from "../../lib/train/pretrain";
import { LlmClassifier, HeadKind } from "../../lib/train/llm-classifier";

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 256);
  const batchSize = Number(process.argv[3] ?? 16);
  const backend = await initBackend();
  const recs = [...syntheticRecords(n, 3)];
  const tok = trainPromptTokenizer({ vocabSize: 1024, records: recs, seed: 0 });
  const model = initBaseModel({ ...STUDY_RECIPE.baseModel, vocabSize: tok.vocabSize }, 0);
  const rate: Record<string, number> = {};
  for (const head of ["lm", "linear", "lm", "linear"] as HeadKind[]) {
    const clf = new LlmClassifier(model, tok, {
      lora: { r: 8, alpha: 16, dropout: 0, targets: ["q_proj", "k_proj", "v_proj", "o_proj"], rslora: false },
      fusion: { mode: "token", dropout: 0 }, prompt: {}, maxJets: 2, seed: 0, head,
    });
    recs.forEach((r) => clf.example(r)); // tokenise outside the timing
    const t0 = process.hrtime.bigint();
    await clf.score(recs, { batchSize });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rate[head] = Math.max(rate[head] ?? 0, n / s); // best of two: less noise from other load
    clf.dispose();
  }
  model.dispose();
  console.log(`backend ${backend}, ${n} events, batch ${batchSize}: lm ${rate.lm.toFixed(1)} events/s, linear ${rate.linear.toFixed(1)} events/s (${(rate.linear / rate.lm).toFixed(2)}x)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
