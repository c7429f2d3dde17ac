/**
 * Checks one EventRecord against lib/dataset/record.schema.json (ajv, compiled once), and turns
 * the first violation into an error that names the file, the line and the field, e.g.
 * `data/x.jsonl:12: jets[0].P_T must be >= 0 (got -3.2)`.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import type { EventRecord } from "../jets/record";
import schema from "./record.schema.json";

/** Where a record sits: its file and 1-based line. */
export interface RecordLocation {
  file: string;
  line: number;
}

/** A record that breaks the schema (or a line that is not JSON). */
export class RecordError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    /** Field path like `jets[1].dR.jet1`, "" for the whole record. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${field ? `${field} ` : "record "}${problem}`);
    this.name = "RecordError";
  }
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // strictNumbers: NaN and +-Infinity fail `type: number` (they cannot be written as JSON anyway).
  if (!compiled) compiled = new Ajv({ strict: true, strictNumbers: true, allErrors: false }).compile(schema);
  return compiled;
}

/** The record itself when it matches the schema; otherwise throws a RecordError. */
export function validateRecord(rec: unknown, where: RecordLocation): EventRecord {
  const v = validator();
  if (v(rec)) return rec as EventRecord;
  const err = (v.errors ?? [])[0];
  if (!err) throw new RecordError(where.file, where.line, "", "does not match the schema");
  const { field, problem } = describe(err, rec);
  throw new RecordError(where.file, where.line, field, problem);
}

/** Whether a record matches the schema (no error built). */
export function isRecord(rec: unknown): rec is EventRecord {
  return validator()(rec) as boolean;
}

function describe(err: ErrorObject, root: unknown): { field: string; problem: string } {
  const parts = err.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  const value = lookup(root, parts);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "required":
      return { field: fieldPath([...parts, String(p.missingProperty)]), problem: "is missing" };
    case "additionalProperties":
      return { field: fieldPath([...parts, String(p.additionalProperty)]), problem: "is not a record field" };
    case "propertyNames":
    case "pattern":
      // ajv puts the offending key on the error (pattern) or in params (propertyNames).
      const key = (err as { propertyName?: string }).propertyName ?? p.propertyName;
      if (key !== undefined) {
        return { field: fieldPath([...parts, String(key)]), problem: "is not a valid key (expected jet<k>, k >= 1)" };
      }
      break;
    case "type":
      if (typeof value === "number" && !Number.isFinite(value)) {
        return { field: fieldPath(parts), problem: `must be a finite number (got ${value})` };
      }
      return { field: fieldPath(parts), problem: `${err.message} (got ${show(value)})` };
    case "enum":
      return {
        field: fieldPath(parts),
        problem: `must be one of ${(p.allowedValues as unknown[]).map((x) => show(x)).join(", ")} (got ${show(value)})`,
      };
  }
  return { field: fieldPath(parts), problem: `${err.message} (got ${show(value)})` };
}

function lookup(root: unknown, parts: string[]): unknown {
  let x = root;
  for (const k of parts) x = x !== null && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined;
  return x;
}

/** ["jets", "0", "P_T"] -> "jets[0].P_T". */
function fieldPath(parts: string[]): string {
  let s = "";
  for (const k of parts) s += /^\d+$/.test(k) ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

function show(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "number") return String(v);
  let s: string;
  try {
    s = JSON.stringify(v);
  } catch {
    // JSON.parse builds values nested deeper than JSON.stringify can write back (RangeError).
    return "a value nested too deeply to print";
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
