/**
 * Hugging Face `tokenizer.json` normalizers (the subset Llama/Mistral-family files use):
 * Sequence, Prepend (the legacy SentencePiece dummy prefix), Replace, Unicode forms, Lowercase,
 * Strip. A normalizer maps one text segment (between added tokens) to its normalized form.
 */

/** `addPrefix`: false only for a segment that continues earlier text (no dummy prefix). */
export type Normalizer = (text: string, addPrefix: boolean) => string;

import { isJsonObject, jsonArray, showJson } from "./show-json";

type Json = Record<string, unknown>;

export function buildNormalizer(spec: unknown, where: string): Normalizer {
  if (spec === null || spec === undefined) return (t) => t;
  if (!isJsonObject(spec)) throw new Error(`${where} must be an object, got ${showJson(spec)}`);
  const s = spec;
  switch (s.type) {
    case "Sequence": {
      const parts = jsonArray(s.normalizers, `${where}.normalizers`).map((p, i) => buildNormalizer(p, `${where}.normalizers[${i}]`));
      return (t, addPrefix) => parts.reduce((acc, f) => f(acc, addPrefix), t);
    }
    case "Prepend": {
      // HF prepends to every non-empty segment, including those after added tokens (legacy behaviour).
      const pre = typeof s.prepend === "string" ? s.prepend : showJson(s.prepend); // never String(): deep arrays overflow
      return (t, addPrefix) => (t.length > 0 && addPrefix ? pre + t : t);
    }
    case "Replace":
      return replacer(s, where);
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = s.type;
      return (t) => t.normalize(form);
    }
    case "Lowercase":
      return (t) => t.toLowerCase();
    case "Strip": {
      const left = s.strip_left !== false;
      const right = s.strip_right !== false;
      return (t) => (left && right ? t.trim() : left ? t.trimStart() : right ? t.trimEnd() : t);
    }
    default:
      throw new Error(`${where}: normalizer type ${showJson(s.type)} is not supported`);
  }
}

/** `Replace` / `Split` patterns: `{String: "..."}` (literal) or `{Regex: "..."}`. */
export function patternRegex(pattern: unknown, where: string): RegExp {
  const p = pattern as Json;
  if (typeof p?.String === "string") return new RegExp(escapeRegex(p.String), "gu");
  if (typeof p?.Regex === "string") {
    try {
      return new RegExp(p.Regex, "gu");
    } catch (err) {
      // An invalid pattern is bad input, not a SyntaxError of ours. (A valid but catastrophic
      // pattern cannot be detected here; tokenizer.json is trusted not to be a ReDoS.)
      throw new Error(`${where}: Regex ${showJson(p.Regex)} is not a valid JavaScript regular expression (${(err as Error).message})`);
    }
  }
  throw new Error(`${where}: pattern must be {String} or {Regex}, got ${showJson(pattern)}`);
}

function replacer(s: Json, where: string): Normalizer {
  const re = patternRegex(s.pattern, `${where}.pattern`);
  const content = typeof s.content === "string" ? s.content : showJson(s.content);
  return (t) => t.replace(re, () => content);
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
