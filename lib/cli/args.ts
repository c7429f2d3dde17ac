/**
 * Small helpers over node:util parseArgs so every command reads numbers and lists the same way
 * and reports a bad value by its flag name.
 */
import { UsageError } from "./command";

/** A required string option. */
export function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** A numeric option: undefined when absent, an error naming the flag when not a finite number. */
export function num(values: Record<string, unknown>, name: string, fallback?: number): number | undefined {
  const v = values[name];
  if (v === undefined) return fallback;
  const x = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(x)) {
    throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  }
  return x;
}

/** An integer option (same rules as num, and whole). */
export function int(values: Record<string, unknown>, name: string, fallback?: number): number | undefined {
  const x = num(values, name, fallback);
  if (x !== undefined && !Number.isInteger(x)) throw new UsageError(`--${name} must be an integer, got ${x}`);
  return x;
}

/** A comma-separated list of numbers, e.g. `--masses 3500,500,100`. */
export function numList(values: Record<string, unknown>, name: string): number[] | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UsageError(`--${name} must be a comma-separated list`);
  return v.split(",").map((s) => {
    const x = Number(s);
    if (s.trim() === "" || !Number.isFinite(x)) throw new UsageError(`--${name}: ${JSON.stringify(s)} is not a number`);
    return x;
  });
}
