/**
 * Added tokens (`<s>`, `[INST]`, `<JET_FEATURES>`, ...) are found in the raw text before any
 * normalization, longest match first, as Hugging Face does, and become ids directly: they are
 * never spelled out by BPE. lstrip/rstrip swallow neighbouring whitespace; single_word requires
 * word boundaries.
 */
import { escapeRegex } from "./normalizer";

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
  singleWord: boolean;
  normalized: boolean;
}

/** A piece of text: either an added token's id or plain text to normalize and BPE-encode. */
export type Segment = { id: number; start: number } | { text: string; start: number };

export class AddedTokenSplitter {
  private readonly re: RegExp | undefined;
  private readonly byContent = new Map<string, AddedToken>();

  constructor(tokens: AddedToken[]) {
    for (const t of tokens) this.byContent.set(t.content, t);
    const contents = [...this.byContent.keys()].filter((c) => c.length > 0).sort((a, b) => b.length - a.length);
    if (contents.length > 0) this.re = new RegExp(contents.map(escapeRegex).join("|"), "gu");
  }

  split(text: string): Segment[] {
    if (!this.re) return text.length > 0 ? [{ text, start: 0 }] : [];
    const out: Segment[] = [];
    let last = 0;
    this.re.lastIndex = 0;
    for (let m = this.re.exec(text); m !== null; m = this.re.exec(text)) {
      const tok = this.byContent.get(m[0])!;
      let a = m.index;
      let b = a + m[0].length;
      if (tok.singleWord && (isWordChar(text[a - 1]) || isWordChar(text[b]))) continue;
      if (tok.lstrip) while (a > last && /\s/u.test(text[a - 1])) a--;
      if (tok.rstrip) while (b < text.length && /\s/u.test(text[b])) b++;
      if (a > last) out.push({ text: text.slice(last, a), start: last });
      out.push({ id: tok.id, start: a });
      last = b;
      this.re.lastIndex = b;
    }
    if (last < text.length) out.push({ text: text.slice(last), start: last });
    return out;
  }
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

/**
 * A copy of a parsed `tokenizer.json` with one more special added token at `id`, in the form
 * transformers' `add_special_tokens` saves it (whole-token match, not normalized, no stripping).
 */
export function withSpecialToken(json: Record<string, unknown>, content: string, id: number): Record<string, unknown> {
  const added = Array.isArray(json.added_tokens) ? (json.added_tokens as Array<Record<string, unknown>>) : [];
  if (added.some((t) => t.content === content)) throw new Error(`tokenizer.json: ${content} is already an added token`);
  if (added.some((t) => t.id === id)) throw new Error(`tokenizer.json: id ${id} is already taken by an added token`);
  const token = { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  return { ...json, added_tokens: [...added, token] };
}
