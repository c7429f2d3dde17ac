/**
 * `hepllm study`: the whole study on the user's records. Protocol:
 * 1. data — train / val / test files (given, or split from one record file, all sets disjoint);
 * 2. base model — `--model`, or one pre-trained on the training records' prompts (no labels);
 * 3. trainings — every arm (fusion LLM, text-only LLM, MLP) with every seed of the recipe, in
 *    parallel child processes; each run picks its checkpoint on val only;
 * 4. evaluation — the selected checkpoints on every test file (intervals at the recipe's level),
 *    mean ± std over seeds, paired differences between arms on the same test events, and the
 *    false-positive rate on background-only samples at the working point fixed on val;
 * 5. `<out>/study.json` and the report in `<out>/report/` (replaced: the study owns that folder).
 * A progress line per step and per training.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatSplitSummary, readAllRecords, split, SplitSummary } from "../dataset";
import { HEADLINE_METRICS, metricValue, readScores, seedSpread } from "../metrics";
import { formatSeconds } from "../util/progress";
import { writeStudyReport } from "../report/interim";
import { ArmJob, ArmJobResult, KeyedFile } from "./arm-job";
import { Arm, armConfig, armInputs, ARMS } from "./arms";
import { makeBaseModel } from "./base-model";
import { runJobs } from "./jobs";
import { pairedArmDifferences } from "./paired";
import type { StudyRecipe } from "./recipe";
import { ArmTestResult, fileKeys, SignalFreeResult, StudyJson, writeStudyJson } from "./study-json";

/** The comparisons of the study, A − B. */
export const PAIRS: Array<[Arm, Arm]> = [
  ["llm-fusion", "llm-text"],
  ["llm-fusion", "mlp"],
  ["llm-text", "mlp"],
];

/** Metrics compared in pairs (the headline ones; the rest are in each arm's entries). */
export const PAIRED_METRICS = ["auc", "balancedAccuracy", "rejection30", "maxSic"] as const;

/** How `--records` is split: per ratio 1:1 and 1:10, sizes in events. */
export interface StudySplit {
  valSizes: [number, number];
  testSizes: [number, number];
  /** Training events of the 1:1 set (the 1:10 set has none: the study trains on 1:1). */
  trainSize?: number;
}

export interface StudyOptions {
  outDir: string;
  recipe: StudyRecipe;
  /** One labelled record file, split by the study (with `split`)... */
  records?: string;
  /** Sizes (default: defaultStudySplit of the record counts; fields given here replace its). */
  split?: Partial<StudySplit>;
  /** ... or the sets themselves. */
  train?: string;
  val?: string;
  tests?: string[];
  /** Background-only record files for the signal-free check. */
  backgroundOnly?: string[];
  /** A Hugging Face Mistral/Llama folder to fine-tune instead of pre-training a base model. */
  model?: string;
  /** Seed of the split and of the base model (training seeds come from the recipe). */
  seed: number;
  /** Trainings at once, each in a child process (0 = one by one in this process). */
  jobs: number;
  quick?: boolean;
  /** Report title and a note under it. */
  title?: string;
  notes?: string;
  log?: (line: string) => void;
}

export interface StudyResult {
  study: StudyJson;
  file: string;
  report: { markdown: string; files: number; table: string };
}

/** Split sizes for a record file of S signal and B background events: shares of the signal, 1:10 sets capped by the background. */
export function defaultStudySplit(S: number, B: number): StudySplit {
  const u11 = Math.floor(S * 0.3);
  const u110 = Math.max(1, Math.min(Math.floor(S * 0.1), Math.floor((B / 2 - 2 * u11) / 12)));
  return { testSizes: [2 * u11, 11 * u110], valSizes: [2 * Math.floor(S * 0.1), 11 * Math.max(1, Math.floor(u110 / 4))] };
}

/**
 * Events of the 1:1 training set: whole 1+1 units of what the 1:1 and 1:10 test and validation
 * sets leave of S signal and B background events (the split cuts those first).
 */
export function trainSizeLeft(S: number, B: number, testSizes: [number, number], valSizes: [number, number]): number {
  const t = [Math.floor(testSizes[0] / 2), Math.floor(testSizes[1] / 11)];
  const v = [Math.floor(valSizes[0] / 2), Math.floor(valSizes[1] / 11)];
  const leftS = S - (t[0] + t[1] + v[0] + v[1]);
  const leftB = B - (t[0] + 10 * t[1] + v[0] + 10 * v[1]);
  return Math.max(2, 2 * Math.min(leftS, leftB));
}

export async function runStudy(o: StudyOptions): Promise<StudyResult> {
  const t0 = Date.now();
  const log = o.log ?? ((l: string) => console.log(l));
  const r = o.recipe;
  const steps = 6;
  const stepLine = (i: number, what: string) => log(`[${i}/${steps}] ${what} (${formatSeconds((Date.now() - t0) / 1000)})`);
  fs.mkdirSync(o.outDir, { recursive: true });

  // 1. Data.
  stepLine(1, "data: training, validation and test sets");
  let train: string;
  let val: string;
  let tests: string[];
  let splitFile: string | undefined;
  if (o.records) {
    const recs = readAllRecords(o.records);
    const S = recs.filter((x) => x.type === "signal").length;
    const sizes: StudySplit = { ...defaultStudySplit(S, recs.length - S), ...o.split };
    const summary: SplitSummary = split({
      input: o.records, outDir: path.join(o.outDir, "splits"), ratios: [[1, 1], [1, 10]], seed: o.seed,
      valSizes: sizes.valSizes, testSizes: sizes.testSizes, trainSizes: [sizes.trainSize ?? trainSizeLeft(S, recs.length - S, sizes.testSizes, sizes.valSizes), 0],
    });
    for (const line of formatSplitSummary(summary).split("\n")) log(`  ${line}`);
    const [s11, s110] = summary.sets;
    train = s11.train.path;
    val = s11.val.path;
    tests = [s11.test.path, s110.test.path];
    splitFile = path.join(o.outDir, "splits", "split.json");
  } else {
    if (!o.train || !o.val || !o.tests?.length) throw new Error("study: give --records, or --train, --val and at least one --test");
    train = o.train;
    val = o.val;
    tests = o.tests;
  }
  const testFiles: KeyedFile[] = fileKeys(tests).map((key, i) => ({ key, path: tests[i] }));
  const bkgList = o.backgroundOnly ?? [];
  const bkgFiles: KeyedFile[] = bkgList.length ? fileKeys(bkgList).map((key, i) => ({ key, path: bkgList[i] })) : [];
  log(`  train ${train}, val ${val}; tests ${testFiles.map((t) => t.key).join(", ")}${bkgFiles.length ? `; background-only ${bkgFiles.map((b) => b.key).join(", ")}` : ""}`);

  // 2. Base model, while the MLP runs (which need none) train in child processes beside it.
  const runsDir = path.join(o.outDir, "runs");
  fs.rmSync(runsDir, { recursive: true, force: true }); // the study starts its runs fresh
  const jobOf = (arm: Arm, seed: number, baseModel: string): ArmJob => ({
    arm, seed, config: armConfig(r, arm, seed, { train, val }, baseModel, runsDir), tests: testFiles, backgroundOnly: bkgFiles,
    workingPointEfficiency: r.workingPointEfficiency, level: r.bootstrap.level,
  });
  const total = ARMS.length * r.seeds.length;
  let finished = 0;
  const note = (job: ArmJob, msg: string): void => {
    if (msg.startsWith("trained")) finished++;
    log(`  ${job.config.run}: ${msg} (${finished}/${total} trained, ${formatSeconds((Date.now() - t0) / 1000)})`);
  };
  const mlpJobs = r.seeds.map((seed) => jobOf("mlp", seed, ""));
  const overlap = o.jobs >= 2 && !o.model; // one core pre-trains, the others take the MLP runs
  const mlpDone = overlap ? runJobs(mlpJobs, { jobs: o.jobs - 1, logDir: runsDir, note }) : undefined;
  mlpDone?.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
  stepLine(2, o.model ? `base model: ${o.model}` : `base model: tokenizer and pre-training on the training records' prompts (no labels)${overlap ? "; MLP runs train alongside" : ""}`);
  let baseModel = o.model;
  if (!baseModel) {
    const b = await makeBaseModel(readAllRecords(train), o.outDir, r, o.seed);
    baseModel = b.dir;
    log(`  vocabulary ${b.vocabSize}, ${b.steps} pre-training steps, prompt loss ${b.lossFirst.toFixed(2)} → ${b.lossLast.toFixed(2)}`);
  }

  // 3. Trainings.
  const llmJobs = ARMS.filter((a) => a !== "mlp").flatMap((arm) => r.seeds.map((seed) => jobOf(arm, seed, baseModel!)));
  stepLine(3, `trainings: ${ARMS.length} arms × ${r.seeds.length} seeds, ${Math.max(1, o.jobs)} at a time`);
  const [llmResults, mlpResults] = mlpDone
    ? await Promise.all([runJobs(llmJobs, { jobs: o.jobs, logDir: runsDir, note }), mlpDone])
    : [await runJobs(llmJobs, { jobs: o.jobs, logDir: runsDir, note }), await runJobs(mlpJobs, { jobs: o.jobs, logDir: runsDir, note })];
  const results = [...llmResults, ...mlpResults];

  // 4. Results per arm and test file, mean ± std over seeds.
  stepLine(4, "evaluation: selected checkpoints on the test sets, mean ± std over seeds");
  const byArm = (arm: Arm): ArmJobResult[] => results.filter((x) => x.arm === arm);
  const resultsJson = {} as StudyJson["results"];
  for (const arm of ARMS) {
    resultsJson[arm] = {};
    for (const t of testFiles) {
      const seeds = byArm(arm).map((x) => ({ seed: x.seed, run: x.runDir, selected: x.selected, entry: x.tests[t.key] }));
      const spread = Object.fromEntries(HEADLINE_METRICS.map((m) => [m, seedSpread(seeds.map((s) => metricValue(s.entry.metrics, m)))]));
      const res: ArmTestResult = { ...seeds[0].entry, seeds, spread };
      resultsJson[arm][t.key] = res;
      log(`  ${arm.padEnd(10)} ${t.key}: AUC ${fmt(spread.auc.mean)} ± ${fmt(spread.auc.std)} over ${seeds.length} seeds`);
    }
  }

  // 5. Paired differences on the same test events.
  stepLine(5, `paired differences (${PAIRS.map(([a, b]) => `${a} − ${b}`).join(", ")}) on the same test events`);
  const paired: StudyJson["paired"] = {};
  for (const t of testFiles) {
    let ids: number[] | undefined;
    let labels: number[] = [];
    const scores: Record<string, number[][]> = {};
    for (const arm of ARMS) {
      scores[arm] = byArm(arm).map((x) => {
        const s = readScores(path.join(x.runDir, x.tests[t.key].scoresFile!));
        if (!ids) {
          ids = s.ids;
          labels = s.labels;
        } else if (s.ids.length !== ids.length || s.ids.some((id, i) => id !== ids![i])) {
          throw new Error(`study: ${x.runDir} scored other events on ${t.key}`);
        }
        return s.scores;
      });
    }
    paired[t.key] = pairedArmDifferences(labels, scores, PAIRS, PAIRED_METRICS, { resamples: r.bootstrap.resamples, level: r.bootstrap.level, seed: 1 });
    for (const [pair, m] of Object.entries(paired[t.key])) {
      log(`  ${t.key} ${pair}: AUC ${signed(m.auc.diff)} [${signed(m.auc.interval[0])}, ${signed(m.auc.interval[1])}] (${m.auc.verdict})`);
    }
  }

  // 6. Signal-free check.
  const signalFree: StudyJson["signalFree"] = { efficiency: r.workingPointEfficiency, level: r.bootstrap.level, byArm: {} as StudyJson["signalFree"]["byArm"] };
  for (const arm of ARMS) {
    signalFree.byArm[arm] = {};
    for (const b of bkgFiles) {
      const perSeed = byArm(arm).map((x) => ({ ...x.signalFree[b.key], seed: x.seed, run: x.runDir }));
      const res: SignalFreeResult = { perSeed, rate: seedSpread(perSeed.map((p) => p.rate)) };
      signalFree.byArm[arm][b.key] = res;
    }
  }

  const arms = {} as StudyJson["arms"];
  for (const arm of ARMS) arms[arm] = { ...armInputs(r, arm), runs: byArm(arm).map((x) => x.runDir) };
  const study: StudyJson = {
    version: 1, created: new Date().toISOString(), seconds: (Date.now() - t0) / 1000, quick: o.quick === true, recipe: r,
    data: { train, val, tests: Object.fromEntries(testFiles.map((t) => [t.key, t.path])), backgroundOnly: Object.fromEntries(bkgFiles.map((b) => [b.key, b.path])), ...(splitFile ? { split: splitFile } : {}) },
    baseModel, arms, results: resultsJson, paired, signalFree,
  };
  stepLine(6, `study.json and the report in ${path.join(o.outDir, "report")}`);
  const file = writeStudyJson(o.outDir, study);
  const report = await writeStudyReport(study, path.join(o.outDir, "report"), { title: o.title, notes: o.notes });
  study.seconds = (Date.now() - t0) / 1000;
  writeStudyJson(o.outDir, study);
  return { study, file, report };
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}` : "n/a");
