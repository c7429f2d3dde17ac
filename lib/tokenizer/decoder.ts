/**
 * Hugging Face decoders for SentencePiece-style vocabularies: Replace (`▁` -> space), ByteFallback
 * (`<0xNN>` runs -> UTF-8 text, U+FFFD per byte when invalid), Fuse, Strip, Metaspace, Sequence.
 * A decoder maps the token strings of a sequence to its text.
 */
import { patternRegex } from "./normalizer";
import { isJsonObject, jsonArray, showJson } from "./show-json";

export type Decoder = (tokens: string[]) => string[];


const BYTE_RE = /^<0x([0-9A-Fa-f]{2})>$/;

export function buildDecoder(spec: unknown, where: string): Decoder {
  if (spec === null || spec === undefined) return (t) => [t.join("")];
  if (!isJsonObject(spec)) throw new Error(`${where} must be an object, got ${showJson(spec)}`);
  const s = spec;
  switch (s.type) {
    case "Sequence": {
      const parts = jsonArray(s.decoders, `${where}.decoders`).map((p, i) => buildDecoder(p, `${where}.decoders[${i}]`));
      return (t) => parts.reduce((acc, f) => f(acc), t);
    }
    case "Replace": {
      const re = patternRegex(s.pattern, `${where}.pattern`);
      const content = typeof s.content === "string" ? s.content : showJson(s.content); // never String(): deep arrays overflow
      return (t) => t.map((x) => x.replace(re, () => content));
    }
    case "ByteFallback":
      return byteFallback;
    case "Fuse":
      return (t) => [t.join("")];
    case "Strip": {
      const content = typeof s.content === "string" ? s.content : s.content == null ? " " : showJson(s.content);
      // Stripping "" never advances: with a huge start/stop the loops in strip() would spin.
      if (content === "") return (t) => t;
      const start = Number(s.start ?? 0);
      const stop = Number(s.stop ?? 0);
      return (t) => t.map((x) => strip(x, content, start, stop));
    }
    case "Metaspace": {
      const rep = typeof s.replacement === "string" ? s.replacement : "▁";
      const scheme = typeof s.prepend_scheme === "string" ? s.prepend_scheme : s.add_prefix_space === false ? "never" : "always";
      return (t) =>
        t.map((x, i) => {
          const y = x.split(rep).join(" ");
          return i === 0 && scheme !== "never" && y.startsWith(" ") ? y.slice(1) : y;
        });
    }
    default:
      throw new Error(`${where}: decoder type ${showJson(s.type)} is not supported`);
  }
}

/** Runs of byte tokens become text; bytes that are not valid UTF-8 become U+FFFD each. */
function byteFallback(tokens: string[]): string[] {
  const out: string[] = [];
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    try {
      out.push(new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes)));
    } catch {
      for (let i = 0; i < bytes.length; i++) out.push("\uFFFD");
    }
    bytes = [];
  };
  for (const t of tokens) {
    const m = BYTE_RE.exec(t);
    if (m) bytes.push(parseInt(m[1], 16));
    else {
      flush();
      out.push(t);
    }
  }
  flush();
  return out;
}

function strip(x: string, content: string, start: number, stop: number): string {
  let a = 0;
  let b = x.length;
  for (let i = 0; i < start && x.startsWith(content, a); i++) a += content.length;
  for (let i = 0; i < stop && b - content.length >= a && x.endsWith(content, b); i++) b -= content.length;
  return x.slice(a, b);
}
