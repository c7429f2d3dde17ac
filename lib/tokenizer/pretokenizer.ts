/**
 * Hugging Face pre-tokenizers (the subset for SentencePiece-style models): Metaspace (space -> `▁`,
 * dummy prefix by `prepend_scheme`, optional split before each `▁`), Digits, Split, WhitespaceSplit,
 * Sequence. A pre-tokenizer cuts one normalized segment into the words BPE sees.
 */
import { patternRegex } from "./normalizer";
import { isJsonObject, jsonArray, showJson } from "./show-json";

/**
 * `atStart`: the segment begins at offset 0 of the encoded text (HF's `prepend_scheme: "first"`
 * test) and the caller did not ask for a continuation.
 */
export type PreTokenizer = (words: string[], atStart: boolean) => string[];

type Json = Record<string, unknown>;

export function buildPreTokenizer(spec: unknown, where: string): PreTokenizer {
  if (spec === null || spec === undefined) return (w) => w;
  if (!isJsonObject(spec)) throw new Error(`${where} must be an object, got ${showJson(spec)}`);
  const s = spec;
  switch (s.type) {
    case "Sequence": {
      const parts = jsonArray(s.pretokenizers, `${where}.pretokenizers`).map((p, i) => buildPreTokenizer(p, `${where}.pretokenizers[${i}]`));
      return (w, atStart) => parts.reduce((acc, f) => f(acc, atStart), w);
    }
    case "Metaspace":
      // An empty replacement would make the split loop below search "" forever.
      if (s.replacement === "") throw new Error(`${where}: Metaspace replacement must not be empty`);
      return metaspace(s);
    case "Digits": {
      const individual = s.individual_digits === true;
      const re = individual ? /\p{Nd}|\P{Nd}+/gu : /\p{Nd}+|\P{Nd}+/gu;
      return (w) => w.flatMap((x) => x.match(re) ?? []);
    }
    case "WhitespaceSplit":
      return (w) => w.flatMap((x) => x.split(/\s+/u).filter((y) => y.length > 0));
    case "Split":
      return split(s, where);
    default:
      throw new Error(`${where}: pre-tokenizer type ${showJson(s.type)} is not supported`);
  }
}

function metaspace(s: Json): PreTokenizer {
  const rep = typeof s.replacement === "string" ? s.replacement : "▁";
  // Older files say add_prefix_space (true = "always"); newer ones prepend_scheme.
  const scheme = typeof s.prepend_scheme === "string" ? s.prepend_scheme : s.add_prefix_space === false ? "never" : "always";
  const doSplit = s.split !== false;
  return (words, atStart) =>
    words.flatMap((w, i) => {
      let t = w.split(" ").join(rep);
      const first = atStart && i === 0;
      if (!t.startsWith(rep) && (scheme === "always" || (scheme === "first" && first))) t = rep + t;
      if (!doSplit) return [t];
      // Split before every replacement char, which stays with the word after it (MergedWithNext).
      const out: string[] = [];
      let start = 0;
      for (let j = t.indexOf(rep, 1); j >= 0; j = t.indexOf(rep, j + rep.length)) {
        if (j > start) out.push(t.slice(start, j));
        start = j;
      }
      if (start < t.length) out.push(t.slice(start));
      return out;
    });
}

function split(s: Json, where: string): PreTokenizer {
  const re = patternRegex(s.pattern, `${where}.pattern`);
  const behavior = String(s.behavior ?? "Isolated");
  if (s.invert === true) return (w) => w.flatMap((x) => x.match(re) ?? []);
  return (words) =>
    words.flatMap((x) => {
      const out: string[] = [];
      let last = 0;
      let pendingPrefix = "";
      for (const m of x.matchAll(re)) {
        const at = m.index ?? 0;
        const before = x.slice(last, at);
        const sep = m[0];
        if (sep.length === 0) continue;
        if (behavior === "Removed") {
          if (before) out.push(before);
        } else if (behavior === "Isolated") {
          if (before) out.push(before);
          out.push(sep);
        } else if (behavior === "MergedWithPrevious") {
          out.push(before + sep);
        } else if (behavior === "MergedWithNext") {
          if (before || pendingPrefix) out.push(pendingPrefix + before);
          pendingPrefix = sep;
          last = at + sep.length;
          continue;
        } else {
          throw new Error(`${where}: Split behavior ${behavior} is not supported`);
        }
        last = at + sep.length;
      }
      const tail = pendingPrefix + x.slice(last);
      if (tail) out.push(tail);
      return out.filter((y) => y.length > 0);
    });
}
