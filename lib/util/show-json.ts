/**
 * A JSON value for an error message: short, and safe for hostile input (JSON.parse builds values
 * nested deeper than JSON.stringify can write back: it would throw a RangeError). Used by every
 * parser of untrusted JSON (safetensors headers, tokenizer.json, request bodies).
 */
export function showJson(v: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return "(a value nested too deeply to print)";
  }
  if (s === undefined) return String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
