import { showJson } from "../util/show-json";

export { showJson };

/** Whether `v` is a JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `v` as an array, or an error naming `where` (e.g. "tokenizer.json: normalizer.normalizers"). */
export function jsonArray(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${where} must be an array, got ${showJson(v)}`);
  return v;
}
