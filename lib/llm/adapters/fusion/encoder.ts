/**
 * Numeric encoders: what the fusion adapter and the MLP baseline read instead of the bare scaled
 * feature vector (features.ts). Chosen by the training config's `numeric.encoding`:
 *   "scaled" — the scaled vector itself (F numbers; nothing to fit), today's input;
 *   "ple"    — the scaled vector followed by a piecewise-linear encoding of every feature with
 *              quantile bins fitted on the training events only (ple.ts): F·(bins + 1) numbers.
 * An encoder that is fitted keeps its fitted state as plain JSON, saved beside the weights
 * (`numeric_encoder.json`), so a checkpoint scores exactly as it did during training.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../../util/atomic";
import { PiecewiseLinearEncoding } from "./ple";

/** The encoder's config and fitted state, beside the weights of a checkpoint. */
export const ENCODER_FILE = "numeric_encoder.json";

export type NumericEncoding = "scaled" | "ple";

export interface NumericEncoderConfig {
  /** Which encoder (see above). */
  encoding: NumericEncoding;
  /** Quantile bins per feature for "ple" (ignored by "scaled"). */
  bins: number;
}

export const DEFAULT_NUMERIC: NumericEncoderConfig = { encoding: "scaled", bins: 16 };

export interface NumericEncoder {
  readonly cfg: NumericEncoderConfig;
  /** Length of an encoded row. */
  readonly outputSize: number;
  /** Fits whatever the encoder learns from data (x: n rows of the scaled vector, row-major). */
  fit(x: Float32Array, n: number): void;
  /** n scaled rows [n, F] → encoded rows [n, outputSize], row-major. */
  encode(x: Float32Array, n: number): Float32Array;
  /** The fitted state as JSON (null when there is none). */
  state(): unknown;
  /** Restores a state written by state(); errors name `where`. */
  setState(s: unknown, where: string): void;
}

/** The scaled vector as it is. */
class ScaledEncoder implements NumericEncoder {
  readonly outputSize: number;
  constructor(readonly cfg: NumericEncoderConfig, inputSize: number) {
    this.outputSize = inputSize;
  }
  fit(): void {}
  encode(x: Float32Array): Float32Array {
    return x;
  }
  state(): unknown {
    return null;
  }
  setState(): void {}
}

const ENCODERS: Record<NumericEncoding, new (cfg: NumericEncoderConfig, inputSize: number) => NumericEncoder> = {
  scaled: ScaledEncoder,
  ple: PiecewiseLinearEncoding,
};

/** The encoder a config names, for feature vectors of length `inputSize`. */
export function numericEncoder(cfg: NumericEncoderConfig, inputSize: number): NumericEncoder {
  const make = ENCODERS[cfg.encoding];
  if (!make) throw new Error(`numeric encoder: unknown encoding ${JSON.stringify(cfg.encoding)} (expected ${Object.keys(ENCODERS).join(", ")})`);
  return new make(cfg, inputSize);
}

/** Writes `<dir>/numeric_encoder.json`: { encoding, bins, state }. */
export function saveEncoder(enc: NumericEncoder, dir: string): void {
  writeFileAtomic(path.join(dir, ENCODER_FILE), JSON.stringify({ ...enc.cfg, state: enc.state() }) + "\n");
}

/** Restores an encoder's state from `<dir>/numeric_encoder.json`; its config must match the one the classifier was built with. */
export function loadEncoder(enc: NumericEncoder, dir: string): void {
  const file = path.join(dir, ENCODER_FILE);
  if (!fs.existsSync(file)) {
    if (enc.cfg.encoding === "scaled") return; // checkpoints from before encoders: nothing to restore
    throw new Error(`${dir}: numeric encoding "${enc.cfg.encoding}" but no ${ENCODER_FILE}`);
  }
  const saved = JSON.parse(fs.readFileSync(file, "utf8")) as NumericEncoderConfig & { state: unknown };
  if (saved.encoding !== enc.cfg.encoding || (saved.encoding === "ple" && saved.bins !== enc.cfg.bins)) {
    throw new Error(`${file}: saved encoding ${saved.encoding}/${saved.bins} bins, but the run's config says ${enc.cfg.encoding}/${enc.cfg.bins}`);
  }
  enc.setState(saved.state, file);
}
