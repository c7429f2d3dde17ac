/**
 * `npm run bench:score`: events/s of LlmClassifier scoring on the demo model, the batched scorer
 * (lib/train/batch-scorer.ts: length-sorted passes, shared-prefix KV cache, LoRA folded in,
 * labels as alternatives) against the plain path (`score(..., { plain: true })`: batches of
 * the recipe's 16 events in input order, what `hepllm eval` and the study ran before) in the
 * same run, and the largest |ΔP(signal)| between the two. Target: ≥ 3× with |Δp| ≤ 1e-5.
 *
 * The demo model: STUDY_RECIPE's base-model architecture (hidden 64, 2 layers, GQA 4/2, window
 * 128) with the demo's BPE tokenizer (1024) trained on the events' prompts; random weights and
 * a random LoRA on every projection (speed does not depend on the values; pre-training would
 * only cost time). Events: simulated as the demo does (lib/simulation → prepare, max 2 jets
 * kept per prompt), cached in data/bench/score/. Arms: the study's two LLM arms (`llm-fusion`:
 * linear head, fusion `token`; `llm-text`: linear head, no fusion, taus in the text) and the
 * bench:physics arm (`lm` head, fusion `last-token`).
 *
 * Rounds alternate plain and batched so load changes hit both; printed: the best round's
 * events/s by wall clock and per CPU-second of this process (the load-independent figure on a
 * shared machine), and their ratios.
 *   npm run bench:score [-- --events 512 --rounds 3 --arms llm-fusion,llm-text,lm-last-token --records demo|synthetic]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { prepare, readAllRecords } from "../lib/dataset";
import type { EventRecord } from "../lib/jets/record";
import { initBackend } from "../lib/llm";
import { syntheticRecords, trainPromptTokenizer } from "../lib/prompts";
import { DEFAULT_SIMULATION, simulateToFile } from "../lib/simulation";
import { STUDY_RECIPE } from "../lib/study";
import { LlmClassifier, LlmClassifierOptions } from "../lib/train/llm-classifier";
import { initBaseModel } from "../lib/train/pretrain";

const TARGET_RATIO = 3;
const TARGET_DP = 1e-5;

/** The arms timed: options as lib/study/arms.ts builds them (and bench:physics for the lm head). */
const ARMS: Record<string, Omit<LlmClassifierOptions, "lora" | "maxJets" | "seed">> = {
  "llm-fusion": { head: STUDY_RECIPE.llm.head, fusion: { mode: "token", dropout: 0 }, prompt: STUDY_RECIPE.prompts.fusion },
  "llm-text": { head: STUDY_RECIPE.llm.head, fusion: { mode: "off", dropout: 0 }, prompt: STUDY_RECIPE.prompts.text },
  "lm-last-token": { head: "lm", fusion: { mode: "last-token", dropout: 0 }, prompt: { nsubjettiness: true } },
};

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

/** Demo-like records: simulated (1 signal : 3 background) and clustered as the demo does; cached. */
async function demoRecords(n: number): Promise<EventRecord[]> {
  const dir = path.join("data", "bench", "score");
  const records = path.join(dir, `records-${n}.jsonl`);
  if (!fs.existsSync(records)) {
    fs.mkdirSync(dir, { recursive: true });
    const h5 = path.join(dir, `events-${n}.h5`);
    await simulateToFile(h5, { ...DEFAULT_SIMULATION, nEvents: n, signalEvents: Math.round(n / 4), seed: 1 }, { withLabels: true, progress: true });
    await prepare({ input: h5, output: records, progress: true });
  }
  return readAllRecords(records);
}

async function timed(f: () => Promise<number[]>): Promise<{ p: number[]; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const p = await f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { p, wall, cpu: (c.user + c.system) / 1e6 };
}

async function main(): Promise<void> {
  const n = Number(arg("events", "512"));
  const rounds = Number(arg("rounds", "3"));
  const arms = arg("arms", Object.keys(ARMS).join(",")).split(",");
  const backend = await initBackend();
  // "synthetic": lib/prompts' synthetic records, 1–3 jets per event, so prompt lengths vary (about 55–200 tokens).
  const source = arg("records", "demo");
  const recs = source === "synthetic" ? [...syntheticRecords(n, 3)] : await demoRecords(n);
  const tok = trainPromptTokenizer({ vocabSize: STUDY_RECIPE.vocabSize, records: recs, seed: 1 });
  const model = initBaseModel({ ...STUDY_RECIPE.baseModel, vocabSize: tok.vocabSize }, 1);
  const rows: string[] = [];
  let allMet = true;
  for (const arm of arms) {
    const a = ARMS[arm];
    if (!a) throw new Error(`unknown arm ${arm} (known: ${Object.keys(ARMS).join(", ")})`);
    const clf = new LlmClassifier(model, tok, { ...a, lora: { ...STUDY_RECIPE.llm.lora, dropout: 0, rslora: false }, maxJets: 2, seed: 1 });
    for (const v of clf.lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.05, "float32", 7)); // a trained-looking adapter (B ≠ 0)
    clf.fitInputs(recs);
    const lengths = recs.map((r) => clf.example(r).promptIds.length); // tokenise outside the timing
    const plain = () => clf.score(recs, { plain: true, batchSize: STUDY_RECIPE.llm.evalBatchSize });
    const batched = () => clf.score(recs, { batchSize: STUDY_RECIPE.llm.evalBatchSize }); // as hepllm eval calls it: ≤ 16 events per pass
    await plain(); // warm-up: kernels compiled, wasm memory grown
    await batched();
    const best = { plain: { wall: Infinity, cpu: Infinity }, batched: { wall: Infinity, cpu: Infinity } };
    let dp = 0;
    for (let r = 0; r < rounds; r++) {
      const x = await timed(plain);
      const y = await timed(batched);
      x.p.forEach((p, i) => (dp = Math.max(dp, Math.abs(p - y.p[i]))));
      best.plain = { wall: Math.min(best.plain.wall, x.wall), cpu: Math.min(best.plain.cpu, x.cpu) };
      best.batched = { wall: Math.min(best.batched.wall, y.wall), cpu: Math.min(best.batched.cpu, y.cpu) };
    }
    clf.dispose();
    const rate = (s: number): number => n / s;
    const ratioWall = best.plain.wall / best.batched.wall;
    const ratioCpu = best.plain.cpu / best.batched.cpu;
    const met = ratioCpu >= TARGET_RATIO && dp <= TARGET_DP;
    allMet &&= met;
    const meanLen = lengths.reduce((s, x) => s + x, 0) / n;
    console.log(`${arm} (head ${a.head}, fusion ${a.fusion.mode}; prompts ${Math.min(...lengths)}–${Math.max(...lengths)} tokens, mean ${meanLen.toFixed(0)}):`);
    console.log(`  plain (batch ${STUDY_RECIPE.llm.evalBatchSize}, input order): ${rate(best.plain.wall).toFixed(0)} events/s wall, ${rate(best.plain.cpu).toFixed(0)} per CPU-s`);
    console.log(`  batched: ${rate(best.batched.wall).toFixed(0)} events/s wall, ${rate(best.batched.cpu).toFixed(0)} per CPU-s`);
    console.log(`  ratio ${ratioWall.toFixed(2)}x wall, ${ratioCpu.toFixed(2)}x CPU; max |dP| ${dp.toExponential(1)} -> ${met ? "MET" : "NOT MET"} (target >= ${TARGET_RATIO}x, |dP| <= ${TARGET_DP})`);
    rows.push(`| scoring events/s, \`${arm}\` (head ${a.head}, fusion ${a.fusion.mode}) | ≥ ${TARGET_RATIO}× plain, max \\|ΔP\\| ≤ ${TARGET_DP} | ${rate(best.batched.cpu).toFixed(0)} per CPU-s, ${rate(best.batched.wall).toFixed(0)} wall: ${ratioCpu.toFixed(2)}× (CPU), ${ratioWall.toFixed(2)}× (wall); max \\|ΔP\\| ${dp.toExponential(1)} | plain: ${rate(best.plain.cpu).toFixed(0)} per CPU-s, ${rate(best.plain.wall).toFixed(0)} wall |`);
  }
  model.dispose();
  console.log(`\nbackend ${backend}, ${n} ${source} events, best of ${rounds} alternating rounds\n`);
  console.log("| figure | target | measured | reference (same run) |\n| --- | --- | --- | --- |");
  for (const r of rows) console.log(r);
  if (!allMet) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
