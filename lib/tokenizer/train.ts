/**
 * hepllm's own small tokenizer for the models it creates: byte-pair encoding learned from a corpus
 * (event prompts), saved in Hugging Face `tokenizer.json` form so the same loader (and Python
 * `tokenizers`) reads it. Layout: special tokens, the 256 byte-fallback tokens `<0x00>`..`<0xFF>`,
 * the character alphabet (printable ASCII, `▁`, newline, tab, then the corpus's most frequent
 * characters), then one token per merge. Digits are never merged (single-digit tokens, as Mistral
 * and Llama do), so numbers are read digit by digit. Deterministic: ties go to the earliest pair.
 */
import { AddedTokenSplitter } from "./added-tokens";
import { byteToken } from "./bpe";
import { HfTokenizer } from "./hf-tokenizer";
import { buildPreTokenizer } from "./pretokenizer";
import { END_INST_TOKEN, FEATURES_TOKEN, INST_TOKEN } from "./types";

/** Ids 0..6; [INST]/[/INST] at 3/4 as in Mistral's vocabulary. */
export const HEPLLM_SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", INST_TOKEN, END_INST_TOKEN, "<pad>", FEATURES_TOKEN];

export interface TrainOptions {
  /** Total vocabulary size including specials and the 256 byte tokens (512-2048 suits event prompts). */
  vocabSize: number;
  /** Special tokens, in id order (default HEPLLM_SPECIAL_TOKENS; must include <unk>, <s>, </s>). */
  specialTokens?: string[];
  /** A pair seen fewer times than this is not worth a token (default 2). */
  minFrequency?: number;
  /** Non-ASCII characters kept in the alphabet, most frequent first; others fall back to bytes (default 64). */
  maxExtraChars?: number;
  /** Longest context the models built with it take (written to tokenizer_config.json). */
  modelMaxLength?: number;
}

const SPACE = "▁";
// split: false lets merges span spaces (indentation, ", eta=-"), so prompts take fewer tokens.
const PRE_TOKENIZER = { type: "Metaspace", replacement: SPACE, prepend_scheme: "first", split: false };
const DECODER = {
  type: "Sequence",
  decoders: [
    { type: "Replace", pattern: { String: SPACE }, content: " " },
    { type: "ByteFallback" },
    { type: "Fuse" },
    { type: "Strip", content: " ", start: 1, stop: 0 },
  ],
};

export function trainTokenizer(corpus: Iterable<string>, opts: TrainOptions): HfTokenizer {
  const specials = opts.specialTokens ?? HEPLLM_SPECIAL_TOKENS;
  for (const s of ["<unk>", "<s>", "</s>"]) if (!specials.includes(s)) throw new Error(`trainTokenizer: specialTokens must include ${s}`);
  const minFrequency = opts.minFrequency ?? 2;
  const splitter = new AddedTokenSplitter(specials.map((content, id) => ({ id, content, special: true, lstrip: false, rstrip: false, singleWord: false, normalized: false })));
  const preTokenize = buildPreTokenizer(PRE_TOKENIZER, "trainTokenizer");

  // Word frequencies, exactly as the encoder will cut the text.
  const words = new Map<string, number>();
  const charCount = new Map<string, number>();
  for (const text of corpus) {
    for (const seg of splitter.split(text)) {
      if (!("text" in seg)) continue;
      for (const w of preTokenize([seg.text], seg.start === 0)) {
        words.set(w, (words.get(w) ?? 0) + 1);
        for (const ch of w) charCount.set(ch, (charCount.get(ch) ?? 0) + 1);
      }
    }
  }

  const vocab: string[] = [...specials];
  for (let b = 0; b < 256; b++) vocab.push(byteToken(b));
  const alphabet: string[] = [SPACE, "\n", "\t"];
  for (let c = 0x21; c < 0x7f; c++) alphabet.push(String.fromCharCode(c));
  const extra = [...charCount.entries()]
    .filter(([ch]) => !alphabet.includes(ch))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, opts.maxExtraChars ?? 64)
    .map(([ch]) => ch);
  vocab.push(...alphabet, ...extra);
  if (opts.vocabSize < vocab.length) throw new Error(`trainTokenizer: vocabSize ${opts.vocabSize} is below the ${vocab.length} base tokens`);
  const idOf = new Map<string, number>(vocab.map((t, i) => [t, i]));

  // Fragments: maximal runs of mergeable characters (in the alphabet, not digits), as id arrays.
  const frags = new Map<string, number>();
  for (const [w, n] of words) {
    for (const f of w.split(/(?:\p{Nd})+/u)) {
      let run = "";
      for (const ch of f) {
        if (idOf.has(ch)) run += ch;
        else {
          if (run) frags.set(run, (frags.get(run) ?? 0) + n);
          run = "";
        }
      }
      if (run) frags.set(run, (frags.get(run) ?? 0) + n);
    }
  }
  const seqs: number[][] = [];
  const counts: number[] = [];
  for (const [f, n] of frags) {
    if ([...f].length < 2) continue;
    seqs.push([...f].map((ch) => idOf.get(ch)!));
    counts.push(n);
  }

  const merges: Array<[string, string]> = [];
  const banned = new Set<number>(); // pairs that would spell a special token
  const BASE = 1 << 16; // pair key = a * BASE + b (vocabulary stays below 65536)
  while (vocab.length < opts.vocabSize) {
    const pairCount = new Map<number, number>();
    for (let s = 0; s < seqs.length; s++) {
      const q = seqs[s];
      for (let i = 0; i + 1 < q.length; i++) {
        const k = q[i] * BASE + q[i + 1];
        pairCount.set(k, (pairCount.get(k) ?? 0) + counts[s]);
      }
    }
    let best = -1;
    let bestN = 0;
    for (const [k, n] of pairCount) if (!banned.has(k) && (n > bestN || (n === bestN && k < best))) [best, bestN] = [k, n];
    if (best < 0 || bestN < minFrequency) break;
    const a = Math.floor(best / BASE);
    const b = best % BASE;
    const merged = vocab[a] + vocab[b];
    if (specials.includes(merged)) {
      banned.add(best);
      continue;
    }
    merges.push([vocab[a], vocab[b]]);
    let id = idOf.get(merged);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(merged);
      idOf.set(merged, id);
    }
    for (const q of seqs) {
      for (let i = 0; i + 1 < q.length; i++) if (q[i] === a && q[i + 1] === b) q.splice(i, 2, id);
    }
  }

  const json = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: PRE_TOKENIZER,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: DECODER,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: "<unk>",
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
      merges,
    },
  };
  const config = {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: "<s>",
    eos_token: "</s>",
    unk_token: "<unk>",
    pad_token: specials.includes("<pad>") ? "<pad>" : null,
    clean_up_tokenization_spaces: false,
    legacy: false,
    model_max_length: opts.modelMaxLength ?? 1024,
    tokenizer_class: "PreTrainedTokenizerFast",
  };
  return new HfTokenizer(json, config, "trainTokenizer");
}
