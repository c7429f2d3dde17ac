/**
 * Test helpers: Debian's SentencePiece (the reference) run once over a batch of texts, and a seeded
 * generator of awkward texts (numbers, runs of spaces, tabs, newlines, unicode, emoji).
 */
import { spawnSync } from "node:child_process";
import { SYSTEM_PYTHON } from "../support/shared";
import { Rng } from "../../lib/util/rng";

export interface SpResult {
  ids: number[];
  decoded: string;
}

const SCRIPT = `
import json, sys, sentencepiece as spm
model, = sys.argv[1:]
sp = spm.SentencePieceProcessor(model_file=model)
texts = json.load(sys.stdin)
out = []
for t in texts:
    ids = sp.encode(t)
    out.append({"ids": ids, "decoded": sp.decode(ids)})
json.dump(out, sys.stdout, ensure_ascii=True)
`;

/** SentencePiece ids (no BOS) and decode of each text. */
export function sentencePiece(model: string, texts: string[]): SpResult[] {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", SCRIPT, model], { input: JSON.stringify(texts), maxBuffer: 1 << 28, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sentencepiece reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as SpResult[];
}

const WORDS = ["jets", "Jet", "P_T", "eta", "phi", "signal", "background", "Classify", "the", "event", "n_particles", "M_jj", "dR_2", "GeV", "tau21", "hello", "world", "naïve", "Größe", "中文字符", "日本語", "Ж", "العربية", "ελληνικά", "😀", "👍🏽", "🧪", "e\u0301", "∑", "±", "µ", "“quoted”", "it's", "foo_bar", "CamelCase", "x", "'"];
const SPACES = [" ", "  ", "   ", "    ", "      ", "\t", "\n", "\n\n", " \n", "\t\t", "\r\n", "\u00a0", "\u3000"];
const PUNCT = [".", ",", ":", "=", "-", "(", ")", "[", "]", "{", "}", '"', "/", "\\", "*", "#", "!", "?", "%", "+", "~", "|", "<", ">", "@", "&", "^", "`", ";"];

/** A number as prompts print them: signs, decimals, exponents, long digit runs. */
function number(rng: Rng): string {
  const kind = rng.int(5);
  const x = (rng.uniform() - 0.3) * 10 ** rng.int(6);
  if (kind === 0) return x.toFixed(rng.int(5));
  if (kind === 1) return String(rng.int(100000));
  if (kind === 2) return x.toExponential(rng.int(4));
  if (kind === 3) return String(rng.uniform()).slice(0, 2 + rng.int(16));
  return `${rng.int(10)}`;
}

/** Seeded random texts mixing words, numbers, whitespace runs and punctuation. */
export function awkwardTexts(n: number, seed: number): string[] {
  const rng = new Rng(seed);
  const pick = <T>(a: T[]): T => a[rng.int(a.length)];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const parts: string[] = [];
    if (rng.uniform() < 0.3) parts.push(pick(SPACES)); // leading whitespace
    const len = 1 + rng.int(40);
    for (let j = 0; j < len; j++) {
      const r = rng.uniform();
      parts.push(r < 0.35 ? pick(WORDS) : r < 0.6 ? number(rng) : r < 0.85 ? pick(SPACES) : pick(PUNCT));
    }
    if (rng.uniform() < 0.2) parts.push(pick(SPACES)); // trailing whitespace
    out.push(parts.join(""));
  }
  return out;
}
