/**
 * A tokenizer.json value for an error message: short, and safe for hostile JSON (JSON.parse
 * builds values nested deeper than JSON.stringify can write back: it would throw a RangeError).
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

/** Whether `v` is a JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `v` as an array, or an error naming `where` (e.g. "tokenizer.json: normalizer.normalizers"). */
export function jsonArray(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${where} must be an array, got ${showJson(v)}`);
  return v;
}
