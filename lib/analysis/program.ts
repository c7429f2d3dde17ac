/**
 * Finds the program in a coder's reply: the longest fenced code block tagged as TypeScript or
 * JavaScript (or untagged), its language from the tag, else guessed from type annotations.
 */
import type { Language } from "./sandbox";

export interface ExtractedProgram {
  code: string;
  language: Language;
}

const FENCE = /```([A-Za-z]*)[^\n]*\n([\s\S]*?)```/g;
const TS_TAGS = new Set(["ts", "typescript", "tsx"]);
const JS_TAGS = new Set(["js", "javascript", "node", "mjs", "cjs", "jsx"]);

export function extractProgram(reply: string): ExtractedProgram | null {
  let best: ExtractedProgram | null = null;
  for (const m of reply.matchAll(FENCE)) {
    const tag = m[1].toLowerCase();
    if (tag !== "" && !TS_TAGS.has(tag) && !JS_TAGS.has(tag)) continue;
    const code = m[2];
    const language: Language = TS_TAGS.has(tag) ? "typescript" : JS_TAGS.has(tag) ? "javascript" : looksTyped(code) ? "typescript" : "javascript";
    if (!best || code.length > best.code.length) best = { code, language };
  }
  return best;
}

function looksTyped(code: string): boolean {
  return /\b(interface|type)\s+\w+\s*[={]|:\s*(number|string|boolean|Float64Array|void)\b/.test(code);
}
