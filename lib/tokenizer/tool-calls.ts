/**
 * Tool calling in Mistral's v3 format, in OpenAI shapes (what the OpenAI-compatible server speaks):
 * a tool call is `[TOOL_CALLS]` followed by a JSON array of {"name", "arguments", "id"} with a
 * 9-character alphanumeric id; this file parses them back out of generated text or ids.
 */
import { Rng } from "../util/rng";
import { Tokenizer } from "./types";

/** OpenAI `tools[]` entry. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** OpenAI `tool_calls[]` entry: `arguments` is a JSON string. */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export const TOOL_CALLS_TOKEN = "[TOOL_CALLS]";
const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A 9-character alphanumeric call id, as mistral-common v3 requires (seeded when `rng` is given). */
export function newToolCallId(rng?: Rng): string {
  let s = "";
  for (let i = 0; i < 9; i++) s += ID_CHARS[rng ? rng.int(ID_CHARS.length) : Math.floor(Math.random() * ID_CHARS.length)];
  return s;
}

/** Whether an id is a valid v3 call id. */
export function isToolCallId(id: string): boolean {
  return /^[a-zA-Z0-9]{9}$/.test(id);
}

/**
 * Tool calls in generated text: the JSON after `[TOOL_CALLS]` (or text that is itself a JSON array
 * of {"name", "arguments"} objects). Returns null when there is no well-formed tool call, so the
 * caller can treat the text as an ordinary answer. Calls without an id get a fresh one.
 */
export function parseToolCalls(text: string, opts: { rng?: Rng } = {}): ToolCall[] | null {
  const at = text.indexOf(TOOL_CALLS_TOKEN);
  const rest = at >= 0 ? text.slice(at + TOOL_CALLS_TOKEN.length) : text;
  const start = rest.search(/\S/);
  if (start < 0) return null;
  if (at < 0 && rest[start] !== "[") return null;
  const json = balancedJson(rest, start);
  if (json === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const list = Array.isArray(value) ? value : [value];
  const calls: ToolCall[] = [];
  for (const c of list) {
    if (!c || typeof c !== "object" || typeof (c as Record<string, unknown>).name !== "string") return null;
    const o = c as Record<string, unknown>;
    const args = o.arguments === undefined ? {} : o.arguments;
    calls.push({
      id: typeof o.id === "string" && o.id.length > 0 ? o.id : newToolCallId(opts.rng),
      type: "function",
      function: { name: o.name as string, arguments: typeof args === "string" ? args : JSON.stringify(args) },
    });
  }
  return calls.length > 0 ? calls : null;
}

/** Tool calls in generated ids: everything after the `[TOOL_CALLS]` control id, decoded. */
export function parseToolCallIds(tok: Tokenizer, ids: number[], opts: { rng?: Rng } = {}): ToolCall[] | null {
  const tc = tok.tokenToId(TOOL_CALLS_TOKEN);
  const at = tc === undefined ? -1 : ids.indexOf(tc);
  if (at < 0) return parseToolCalls(tok.decode(ids, { skipSpecial: true }), opts);
  const rest = ids.slice(at + 1).filter((id) => id !== tok.eosId);
  return parseToolCalls(TOOL_CALLS_TOKEN + tok.decode(rest, { skipSpecial: true }), opts);
}

/** The JSON value starting at `start` (an object or array), up to its matching bracket. */
function balancedJson(s: string, start: number): string | undefined {
  const open = s[start];
  if (open !== "[" && open !== "{") return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") {
      depth--;
      if (depth === 0) return s.slice(start, i + 1);
    }
  }
  return undefined;
}
