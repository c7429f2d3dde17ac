/**
 * Helpers for the LLM tests: the PyTorch reference (test/llm/reference/mistral_ref.py), a small
 * random model whose weights are large enough for logits of order one, temp folders.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { ModelConfig } from "../../lib/llm/model/config";
import { buildDecoder } from "../../lib/llm/model/model";
import { Decoder } from "../../lib/llm/model/decoder";
import { Rng } from "../../lib/util/rng";
import { SYSTEM_PYTHON } from "../support/shared";

export const REFERENCE_DIR = path.join(__dirname, "reference");

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hepllm-${tag}-`));
}

/** A tiny Mistral with GQA (4 query / 2 kv heads) and a sliding window shorter than the test sequences. */
export const TINY_MISTRAL: ModelConfig = {
  modelType: "mistral",
  vocabSize: 97,
  hiddenSize: 64,
  intermediateSize: 96,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  slidingWindow: 5,
  tieWordEmbeddings: false,
  maxPositionEmbeddings: 256,
  bosTokenId: 1,
  eosTokenId: 2,
};

/** Random weights with std 0.15 (matrices) and gains 1 ± 0.1, so logits are O(1) and errors show. */
export function randomModel(cfg: ModelConfig, seed: number, opts: { lowMemory?: boolean } = {}): Decoder {
  const rng = new Rng(seed);
  return buildDecoder(
    cfg,
    (_name, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = shape.length === 1 ? 1 + 0.1 * rng.normal() : 0.15 * rng.normal();
      return out;
    },
    opts,
  );
}

export interface RefRequest {
  ids: number[][];
  mask?: number[][] | null;
  adapter?: string | null;
}

/** Runs the PyTorch reference on a model folder; returns logits [B][T][V] per request. */
export function torchLogits(modelDir: string, requests: RefRequest[]): number[][][][] {
  const dir = tempDir("ref");
  try {
    const inp = path.join(dir, "in.json");
    const out = path.join(dir, "out.bin");
    fs.writeFileSync(inp, JSON.stringify(requests));
    const r = spawnSync(SYSTEM_PYTHON, [path.join(REFERENCE_DIR, "mistral_ref.py"), modelDir, inp, out], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`mistral_ref.py failed: ${r.stderr}`);
    const v = JSON.parse(fs.readFileSync(path.join(modelDir, "config.json"), "utf8")).vocab_size as number;
    return requests.map((req, n) => {
      const buf = fs.readFileSync(`${out}.${n}`);
      const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const t = req.ids[0].length;
      return req.ids.map((_, b) => Array.from({ length: t }, (_, i) => Array.from(f.subarray((b * t + i) * v, (b * t + i + 1) * v))));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |a − b| over two equally shaped nested arrays. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, maxAbsDiff(x, b[i])), 0);
  }
  return Math.abs((a as number) - (b as number));
}

export function runPython(script: string, args: string[]): string {
  const r = spawnSync(SYSTEM_PYTHON, [path.join(REFERENCE_DIR, script), ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return r.stdout;
}

/** max |x − y| / max |y|: the error relative to the values' scale (entries near 0 included). */
export function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  assert.equal(x.length, y.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / Math.max(s, 1e-30);
}
