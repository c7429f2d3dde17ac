/**
 * The run log: the trainer appends one JSON object per line to `checkpoints/<run>/log.jsonl` —
 * training steps, validation losses and checkpoint evaluations. The results table and the loss
 * curves are built from these files alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricsReport } from "./evaluate";

/** One optimiser step (or an average over a logging interval). */
export interface TrainLogEntry {
  kind: "train";
  run: string;
  step: number;
  epoch: number;
  /** Mean cross-entropy per target token. */
  loss: number;
  /** Learning rate at this step. */
  lr: number;
  tokensPerSecond?: number;
  /** What the step ran on: the tfjs backend, and the GPU adapter's name on webgpu (e.g. "webgpu: NVIDIA H200 (Dawn default)"). */
  device?: string;
  /** ISO 8601 time. */
  time: string;
}

/** Loss on the validation split at some step (for the train/val loss curves). */
export interface ValLogEntry {
  kind: "val";
  run: string;
  step: number;
  epoch: number;
  loss: number;
  time: string;
}

/** One checkpoint evaluated on one dataset: a row of the results table. */
export interface EvalLogEntry {
  kind: "eval";
  run: string;
  step: number;
  epoch: number;
  /** Checkpoint folder name, e.g. "checkpoint-120". */
  checkpoint: string;
  /** Dataset label as in the study, e.g. "1:1 @1000" (signal:background ratio @ events). */
  dataset: string;
  /** Path of the evaluated JSONL. */
  data: string;
  /** How numbers reach the model: "first-token" | "token" | "off" | "MLP baseline". */
  numericInput: string;
  /** Base model name. */
  model: string;
  metrics: MetricsReport;
  /** JSONL of {id, label, score} per event, for ROC/SIC curves. */
  scoresFile?: string;
  time: string;
}

export type RunLogEntry = TrainLogEntry | ValLogEntry | EvalLogEntry;

/** The log file of a run folder (or the path itself when it names a .jsonl file). */
export function runLogPath(runDir: string): string {
  return runDir.endsWith(".jsonl") ? runDir : path.join(runDir, "log.jsonl");
}

// JSON has no Infinity or NaN: JSON.stringify writes both as null. A metric named in `unsupported`
// (logs since issue 11) is NaN. In older logs a null rejection is +Infinity (no background passed
// the cut) when both classes were present, else NaN (undefined rejection).
function restoreInfinity(m: MetricsReport): void {
  const c = m.confusion;
  const bothClasses = !c || (c.tp + c.fn > 0 && c.tn + c.fp > 0);
  const unsupported = m.unsupported ?? {};
  for (const k of ["rejection30", "rejection50"] as const) {
    if (m[k] === null) m[k] = bothClasses && !(k in unsupported) && m.unsupported === undefined ? Infinity : NaN;
  }
  for (const k of ["auc", "maxSic", "maxSicThreshold", "accuracy", "balancedAccuracy"] as const) if (m[k] === null) m[k] = NaN;
  for (const [name, iv] of Object.entries(m.intervals ?? {})) {
    // Old logs: a rejection interval's null end was +Infinity (resamples with no background passing).
    const inf = m.unsupported === undefined && name.startsWith("rejection");
    for (const i of [0, 1] as const) if (iv[i] === null) iv[i] = inf ? Infinity : NaN;
  }
}

/** Every entry of a run log, in file order; bad lines are reported by file and line number. */
export function readRunLog(runDir: string): RunLogEntry[] {
  const file = runLogPath(runDir);
  if (!fs.existsSync(file)) throw new Error(`${file}: run log not found`);
  const out: RunLogEntry[] = [];
  const lines = fs.readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let e: RunLogEntry;
    try {
      e = JSON.parse(line) as RunLogEntry;
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    const kind = (e as { kind?: unknown }).kind;
    if (kind !== "train" && kind !== "val" && kind !== "eval") {
      throw new Error(`${file}:${i + 1}: field "kind" is ${JSON.stringify(kind)}, expected "train", "val" or "eval"`);
    }
    if (kind === "eval") {
      const ev = e as EvalLogEntry;
      for (const f of ["checkpoint", "dataset", "numericInput", "time"] as const) {
        if (typeof ev[f] !== "string") throw new Error(`${file}:${i + 1}: eval entry field "${f}" is missing or not a string`);
      }
      if (typeof ev.metrics !== "object" || ev.metrics === null) throw new Error(`${file}:${i + 1}: eval entry field "metrics" is missing`);
      restoreInfinity(ev.metrics);
    } else if (typeof (e as TrainLogEntry).loss !== "number" || typeof e.step !== "number") {
      throw new Error(`${file}:${i + 1}: ${kind} entry needs numeric "step" and "loss"`);
    }
    out.push(e);
  });
  return out;
}

/** Appends one entry to a run log (one line, written with a single append call). */
export function appendRunLog(runDir: string, entry: RunLogEntry): void {
  const file = runLogPath(runDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify(entry) + "\n");
}

/** Per-event scores written beside an evaluation, one {id, label, score} per line. */
export interface ScoreRecord {
  id: number;
  label: 0 | 1;
  score: number;
}

/** Reads a scores JSONL into label and score arrays (for ROC/SIC curves). */
export function readScores(file: string): { ids: number[]; labels: number[]; scores: number[] } {
  const ids: number[] = [];
  const labels: number[] = [];
  const scores: number[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let r: ScoreRecord;
      try {
        r = JSON.parse(line) as ScoreRecord;
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not valid JSON (${(err as Error).message})`);
      }
      if (r.label !== 0 && r.label !== 1) throw new Error(`${file}:${i + 1}: field "label" is ${JSON.stringify(r.label)}, expected 0 or 1`);
      if (typeof r.score !== "number" || !Number.isFinite(r.score)) throw new Error(`${file}:${i + 1}: field "score" is not a finite number`);
      ids.push(r.id);
      labels.push(r.label);
      scores.push(r.score);
    });
  return { ids, labels, scores };
}
