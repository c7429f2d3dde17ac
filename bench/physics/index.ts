/**
 * `npm run bench:physics` — does the LLM earn its place? (issue 11, item 10; a benchmark, not a test)
 *
 * On real LHCO R&D jets (../shared/fixtures/lhco/rd_jet_features.csv.gz) and on simulated events,
 * seeded: 3,000 training events (1:1), 1,000 val (1:1), tests of 2,000 (1:1) and 5,500 (1:10),
 * pairwise disjoint. Arms, all on the same training events and selected on val only:
 *   llm-fusion  the demo's base model (tokenizer + pre-training on the training prompts, no labels:
 *               lib/demo baseModelStep) fine-tuned with LoRA + the fusion adapter;
 *   llm-text    the same without the fusion adapter, the same numbers in the text (tau21/tau32);
 *   mlp         hepllm's MLP baseline on the feature vector;
 *   gbdt        scikit-learn's HistGradientBoostingClassifier on the same feature vectors.
 * Prints per arm and test set AUC, balanced accuracy, 1/εB at εS = 0.3 and max SIC with 95%
 * bootstrap intervals, the paired AUC differences fusion − other with their intervals, and the
 * wall time of each arm; writes the numbers to data/bench/physics/<source>-results.json.
 *
 *   npm run bench:physics -- [--data real|sim|both] [--quick] [--seed 1] [--arms llm-fusion,llm-text,mlp,gbdt]
 *       [--head lm|linear] [--numeric ple|scaled] [--bins 16] [--epochs 1] [--batch 8] [--mlp-numeric ple|scaled] [--mlp-epochs 40]
 *       [--fusion-mode last-token|token|first-token] [--lr 2e-3] [--fusion-lr-scale 2] [--eval-every 94]
 *       [--scale 0.5] [--tests 0,1]   (exploration: every count × scale; only the listed test sets)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { writeRecords } from "../../lib/dataset";
import { readAllRecords } from "../../lib/dataset";
import { makeBaseModel, STUDY_RECIPE } from "../../lib/study";
import { evaluate, pairedBootstrap, MetricsReport } from "../../lib/metrics";
import { labelOf } from "../../lib/train/classifier";
import { resolveTrainConfig, TrainConfig } from "../../lib/train/config";
import { ArmResult, gbdtArm, trainedArm } from "./arms";
import { BenchSets, Counts, Protocol, PROTOCOL, QUICK_PROTOCOL, realSets, simSets } from "./data";

const { values: opt } = parseArgs({
  options: {
    data: { type: "string", default: "both" },
    quick: { type: "boolean", default: false },
    scale: { type: "string" },
    tests: { type: "string" },
    "mlp-epochs": { type: "string", default: "40" },
    seed: { type: "string", default: "1" },
    arms: { type: "string", default: "llm-fusion,llm-text,mlp,gbdt" },
    head: { type: "string", default: "lm" },
    numeric: { type: "string", default: "ple" },
    "mlp-numeric": { type: "string" },
    bins: { type: "string", default: "16" },
    epochs: { type: "string", default: "1" },
    batch: { type: "string", default: "8" },
    "fusion-mode": { type: "string", default: "last-token" },
    lr: { type: "string", default: "2e-3" },
    "fusion-lr-scale": { type: "string", default: "2" },
    "eval-every": { type: "string" },
    out: { type: "string", default: path.join("data", "bench", "physics") },
  },
});

const seed = Number(opt.seed);
const protocol = scaled(opt.quick ? QUICK_PROTOCOL : PROTOCOL, Number(opt.scale ?? 1), opt.tests);

/** The protocol with every count × f (exploration runs), keeping only the test sets whose names are listed (comma-separated indices). */
function scaled(p: Protocol, f: number, tests?: string): Protocol {
  const c = (x: Counts): Counts => ({ signal: Math.round(x.signal * f), background: Math.round(x.background * f) });
  const keep = tests ? tests.split(",").map(Number) : p.tests.map((_, i) => i);
  return {
    train: c(p.train), val: c(p.val),
    tests: p.tests.filter((_, i) => keep.includes(i)).map((t) => {
      const n = c(t);
      return { ...n, name: f === 1 ? t.name : `1:${Math.round(t.background / t.signal)} @${n.signal + n.background}` };
    }),
  };
}
const arms = opt.arms!.split(",");
const MAX_JETS = 2;
const BOOTSTRAP = 1000;

/** The three hepllm arms' training configs (one place, so the table says what ran). */
function configs(dir: string, base: string, trainFile: string, valFile: string): Record<string, TrainConfig> {
  const numeric = { encoding: opt.numeric, bins: Number(opt.bins) };
  const nTrain = protocol.train.signal + protocol.train.background;
  const llmSteps = Math.floor(nTrain / Number(opt.batch)) * Number(opt.epochs);
  const llm = {
    outDir: dir, model: { kind: "llm", path: base || "(no LLM arm)" }, data: { train: trainFile, val: valFile, maxJets: MAX_JETS },
    // LoRA on every projection, as the demo: attention routes the numbers, the MLPs help read them.
    lora: { r: 8, alpha: 16, dropout: 0.05, targets: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"] },
    // Both LLM arms read the same text, tau21/tau32 included: the fusion arm differs only by the vector.
    prompt: { nsubjettiness: true },
    head: opt.head, numeric,
    optim: { lr: Number(opt.lr), warmupSteps: 20 },
    schedule: { epochs: Number(opt.epochs), batchSize: Number(opt.batch), logEverySteps: 25 },
    checkpoint: { everySteps: 1_000_000, keep: 0 },
    eval: { everySteps: Number(opt["eval-every"] ?? Math.max(1, Math.round(llmSteps / 4))), batchSize: 32 },
    seed,
  };
  const mlpEpochs = Number(opt["mlp-epochs"]);
  const mlpSteps = Math.floor(nTrain / 32);
  return {
    "llm-fusion": resolveTrainConfig({ ...llm, run: "llm-fusion", fusion: { mode: opt["fusion-mode"], dropout: 0.1, lrScale: Number(opt["fusion-lr-scale"]) } }),
    "llm-text": resolveTrainConfig({ ...llm, run: "llm-text", fusion: { mode: "off" } }),
    mlp: resolveTrainConfig({
      run: "mlp", outDir: dir, model: { kind: "mlp", hidden: [64, 64], dropout: 0.1 }, data: { train: trainFile, val: valFile, maxJets: MAX_JETS },
      numeric: { ...numeric, encoding: opt["mlp-numeric"] ?? numeric.encoding },
      optim: { lr: 3e-3, warmupSteps: 10 }, schedule: { epochs: mlpEpochs, batchSize: 32, logEverySteps: 50 },
      checkpoint: { everySteps: 1_000_000, keep: 0 }, eval: { everySteps: mlpSteps * 2, batchSize: 1024 }, seed,
    }),
  };
}

/** The study's base model on these training events (tokenizer + pre-training on their prompts, no labels; lib/study makeBaseModel). */
async function baseModel(_sets: BenchSets, dir: string, trainFile: string): Promise<string> {
  const r = await makeBaseModel(readAllRecords(trainFile), dir, STUDY_RECIPE, seed);
  console.error(`base model: vocabulary ${r.vocabSize}, ${r.steps} pre-training steps, prompt loss ${r.lossFirst.toFixed(2)} → ${r.lossLast.toFixed(2)}`);
  return r.dir;
}

const fmt = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
function cell(m: MetricsReport, key: string, d: number): string {
  const v = key === "balancedAccuracy" ? m.balancedAccuracy ?? NaN : (m as unknown as Record<string, number>)[key];
  const ci = m.intervals?.[key];
  return ci ? `${fmt(v, d)} [${fmt(ci[0], d)}, ${fmt(ci[1], d)}]` : fmt(v, d);
}

async function runSource(source: "real" | "sim"): Promise<void> {
  const t0 = Date.now();
  const sets = source === "real" ? realSets(protocol, seed) : await simSets(protocol, seed);
  const dir = path.join(opt.out!, `${source}${opt.quick ? "-quick" : ""}${opt.scale ? `-x${opt.scale}` : ""}`);
  fs.mkdirSync(dir, { recursive: true });
  console.error(`${source}: train ${sets.train.length}, val ${sets.val.length}, tests ${sets.tests.map((t) => `${t.name}`).join(", ")}`);
  const trainFile = path.join(dir, "train.jsonl");
  writeRecords(trainFile, sets.train);
  const needsLlm = arms.some((a) => a.startsWith("llm"));
  const baseStart = Date.now();
  const base = needsLlm ? await baseModel(sets, dir, trainFile) : "";
  const baseSeconds = (Date.now() - baseStart) / 1000;
  const valFile = path.join(dir, "val.jsonl");
  writeRecords(valFile, sets.val); // named in the runs' logs
  const cfgs = configs(path.join(dir, "runs"), base, trainFile, valFile);
  const results: ArmResult[] = [];
  for (const arm of arms) {
    console.error(`${source}: arm ${arm}`);
    results.push(arm === "gbdt" ? gbdtArm(sets, seed, MAX_JETS) : await trainedArm(arm, cfgs[arm], sets));
  }
  const lines: string[] = [];
  lines.push(`## ${source === "real" ? "Real LHCO R&D jets (feature table)" : "Simulated events"} — seed ${seed}, train ${sets.train.length} (1:1), val ${sets.val.length}; 95% bootstrap CIs (${BOOTSTRAP} resamples)`);
  lines.push("");
  lines.push("| arm | test | AUC | balanced acc. | 1/εB @ εS=0.3 | max SIC |");
  lines.push("| --- | --- | --- | --- | --- | --- |");
  const json: Record<string, unknown> = { source, seed, protocol, options: opt, arms: {} as Record<string, unknown>, paired: {} as Record<string, unknown> };
  for (const r of results) {
    (json.arms as Record<string, unknown>)[r.arm] = { selected: r.selected, wallSeconds: r.wallSeconds, metrics: {} as Record<string, MetricsReport> };
    for (const t of sets.tests) {
      const m = evaluate(t.recs.map(labelOf), r.scores[t.name], { bootstrap: BOOTSTRAP, seed: 1 });
      ((json.arms as Record<string, { metrics: Record<string, MetricsReport> }>)[r.arm].metrics)[t.name] = m;
      lines.push(`| ${r.arm} | ${t.name} | ${cell(m, "auc", 4)} | ${cell(m, "balancedAccuracy", 3)} | ${cell(m, "rejection30", 1)} | ${cell(m, "maxSic", 2)} |`);
    }
  }
  const fusion = results.find((r) => r.arm === "llm-fusion");
  if (fusion) {
    const others = results.filter((r) => r !== fusion);
    lines.push("");
    lines.push(`| paired AUC difference [95% CI] | ${others.map((o) => `llm-fusion − ${o.arm}`).join(" | ")} |`);
    lines.push(`| --- |${others.map(() => " --- |").join("")}`);
    for (const t of sets.tests) {
      const labels = t.recs.map(labelOf);
      const cells = others.map((o) => {
        const d = pairedBootstrap(labels, fusion.scores[t.name], o.scores[t.name], ["auc"], { resamples: BOOTSTRAP, seed: 1 }).auc;
        (json.paired as Record<string, unknown>)[`${t.name} llm-fusion-${o.arm}`] = d;
        return `${d.diff >= 0 ? "+" : ""}${fmt(d.diff, 4)} [${fmt(d.interval[0], 4)}, ${fmt(d.interval[1], 4)}]`;
      });
      lines.push(`| ${t.name} | ${cells.join(" | ")} |`);
    }
  }
  lines.push("");
  lines.push(`Selection on val and wall time (2 shared cores, nice 10): ${needsLlm ? `base model ${baseSeconds.toFixed(0)} s; ` : ""}` +
    results.map((r) => `${r.arm} ${r.selected}, ${r.wallSeconds.toFixed(0)} s`).join("; ") + `; total ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  lines.push(`Arms: head ${opt.head}, numeric ${opt.numeric}${opt.numeric === "ple" ? `/${opt.bins} bins` : ""} (MLP ${opt["mlp-numeric"] ?? opt.numeric}), LLM ${opt.epochs} epochs × batch ${opt.batch}, lr ${opt.lr}, fusion ${opt["fusion-mode"]} ×${opt["fusion-lr-scale"]}.`);
  console.log(lines.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify(json, null, 1) + "\n");
  fs.writeFileSync(path.join(dir, "results.md"), lines.join("\n") + "\n");
}

async function main(): Promise<void> {
  const sources = opt.data === "both" ? (["real", "sim"] as const) : [opt.data as "real" | "sim"];
  for (const s of sources) await runSource(s);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
