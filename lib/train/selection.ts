/**
 * Checkpoint selection on the validation set: a run declares its criterion in the training config
 * (`selection.metric`: "val_auc" or "val_loss"); the trainer scores every evaluated checkpoint on
 * val, keeps the best in `<run>/selected.json` and never prunes it. Test sets play no part: they
 * are scored afterwards, on the checkpoint chosen here, so a number reported on a test set was
 * never used to pick what is reported.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic";
import type { SelectionMetric } from "./config";

export const SELECTED_FILE = "selected.json";

/** The chosen checkpoint of a run. */
export interface Selection {
  /** The declared criterion. */
  criterion: SelectionMetric;
  /** Optimiser step of the chosen checkpoint. */
  step: number;
  /** Its folder name, e.g. "checkpoint-300". */
  checkpoint: string;
  /** The criterion's value on val at that checkpoint (AUC, or mean loss per event). */
  value: number;
  /** The validation file it was computed on. */
  data: string;
  /** Validation events used. */
  n: number;
  /** ISO time of the choice. */
  time: string;
}

/** Whether `value` beats `best` under the criterion (a tie keeps the earlier checkpoint). */
export function improves(criterion: SelectionMetric, value: number, best: number | undefined): boolean {
  if (!Number.isFinite(value)) return false;
  if (best === undefined || !Number.isFinite(best)) return true;
  return criterion === "val_auc" ? value > best : value < best;
}

/** `<run>/selected.json`, or undefined when the run has none (no validation set, or an older run). */
export function readSelection(runDir: string): Selection | undefined {
  const file = path.join(runDir, SELECTED_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Selection;
  } catch (err) {
    throw new Error(`${file}: not a valid selection file (${(err as Error).message})`);
  }
}

export function writeSelection(runDir: string, s: Selection): void {
  writeFileAtomic(path.join(runDir, SELECTED_FILE), JSON.stringify(s, null, 2) + "\n");
}
