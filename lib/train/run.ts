/**
 * From a training config to a trained run, and from a run folder to an evaluation: builds the
 * classifier the config names (LLM + LoRA + fusion, or the MLP baseline), loads the data, and
 * hands both to the shared loop. `hepllm train`, `hepllm eval` and the demo call these.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readAllRecords } from "../dataset";
import type { EventRecord } from "../jets/record";
import { initBackend, loadModel } from "../llm";
import { loadTokenizer } from "../tokenizer";
import type { PromptOptions } from "../prompts";
import { TrainableClassifier } from "./classifier";
import { checkpointDir, listCheckpoints } from "./checkpoint";
import { readTrainConfig, TrainConfig } from "./config";
import { readSelection } from "./selection";
import { LlmClassifier } from "./llm-classifier";
import { MlpBaseline } from "./mlp-baseline";
import { evaluateClassifier, takeStratified, train, TrainResult, TrainRunOptions } from "./trainer";
import type { EvalLogEntry } from "../metrics";

/** Builds the classifier a config describes (the LLM is loaded from its folder). */
export async function buildClassifier(cfg: TrainConfig): Promise<{ clf: TrainableClassifier; modelName: string }> {
  if (cfg.model.kind === "mlp") {
    return { clf: new MlpBaseline({ hidden: cfg.model.hidden, maxJets: cfg.data.maxJets, dropout: cfg.model.dropout, numeric: cfg.numeric }, cfg.seed), modelName: "MLP" };
  }
  await initBackend();
  const dir = cfg.model.path;
  const model = await loadModel(dir, { lowMemory: cfg.model.lowMemory });
  try {
    const tok = loadTokenizer(dir);
    // The classifier owns the model it is given here: disposing it frees the base weights too.
    const clf = new LlmClassifier(model, tok, {
      lora: cfg.lora,
      fusion: { mode: cfg.fusion.mode, dropout: cfg.fusion.dropout },
      head: cfg.head,
      numeric: cfg.numeric,
      prompt: cfg.prompt as Partial<PromptOptions>,
      maxJets: cfg.data.maxJets,
      seed: cfg.seed,
      baseModel: dir,
    }, { model: true });
    return { clf, modelName: path.basename(path.resolve(dir)) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function loadRecords(file: string, max?: number): EventRecord[] {
  return takeStratified(readAllRecords(file), max);
}

/** Trains a run from a resolved config (resuming if its folder has checkpoints). */
export async function runTraining(cfg: TrainConfig, run: TrainRunOptions = {}): Promise<TrainResult> {
  const { clf, modelName } = await buildClassifier(cfg);
  try {
    // Validation records stay whole here: the trainer subsamples them and names the set by the whole file's ratio.
    const data = { train: loadRecords(cfg.data.train, cfg.data.maxTrain), val: cfg.data.val ? readAllRecords(cfg.data.val) : undefined };
    return await train(cfg, clf, data, modelName, run);
  } finally {
    clf.dispose();
  }
}

/** Trains from a config file. */
export async function runTrainingFile(configFile: string): Promise<TrainResult> {
  return runTraining(readTrainConfig(configFile));
}

/**
 * The step `hepllm eval` uses by default: the checkpoint selected on val (`selected.json`), or the
 * newest when the run has no selection (no validation set, or a run from before selection).
 */
export function defaultCheckpoint(runDir: string): { step: number; selected: boolean } {
  const steps = listCheckpoints(runDir);
  if (steps.length === 0) throw new Error(`${runDir}: no checkpoints`);
  const sel = readSelection(runDir);
  if (sel && steps.includes(sel.step)) return { step: sel.step, selected: true };
  if (sel) throw new Error(`${runDir}: the selected ${sel.checkpoint} is missing (have ${steps.join(", ")})`);
  return { step: steps[steps.length - 1], selected: false };
}

/**
 * The classifier of a run's checkpoint, ready to score (`checkpoint`: a step number, or the one
 * selected on val, else the newest). Used by `hepllm eval` and by the agents' classify_event tool.
 */
export async function loadRunClassifier(runDir: string, checkpoint?: number): Promise<{ clf: TrainableClassifier; modelName: string; cfg: TrainConfig; dir: string; step: number }> {
  const cfgFile = path.join(runDir, "train_config.json");
  if (!fs.existsSync(cfgFile)) throw new Error(`${runDir}: no train_config.json (not a hepllm run folder)`);
  const cfg = readTrainConfig(cfgFile);
  const steps = listCheckpoints(runDir);
  if (steps.length === 0) throw new Error(`${runDir}: no checkpoints`);
  const step = checkpoint ?? defaultCheckpoint(runDir).step;
  if (!steps.includes(step)) throw new Error(`${runDir}: no checkpoint-${step} (have ${steps.join(", ")})`);
  const dir = checkpointDir(runDir, step);
  const { clf, modelName } = await buildClassifier(cfg);
  try {
    clf.load(dir);
  } catch (err) {
    clf.dispose();
    throw err;
  }
  clf.setTraining(false);
  return { clf, modelName, cfg, dir, step };
}

/**
 * Evaluates a checkpoint of a run on a labelled JSONL file and appends the result to the run's
 * log. `checkpoint`: a step number, or (when absent) the one selected on val, else the newest.
 */
export async function evaluateRun(runDir: string, data: string, opts: { checkpoint?: number; dataset?: string; maxEvents?: number; batchSize?: number } = {}): Promise<EvalLogEntry> {
  const { clf, modelName, cfg, dir, step } = await loadRunClassifier(runDir, opts.checkpoint);
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dir, "trainer_state.json"), "utf8")) as { epoch: number };
    const all = readAllRecords(data);
    const recs = takeStratified(all, opts.maxEvents);
    return await evaluateClassifier(clf, recs, {
      source: all,
      runDir, run: cfg.run, step, epoch: state.epoch, checkpoint: path.basename(dir), data, dataset: opts.dataset,
      model: modelName, batchSize: opts.batchSize ?? cfg.eval.batchSize,
    });
  } finally {
    clf.dispose();
  }
}
