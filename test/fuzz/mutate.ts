/**
 * Mutations for fuzzing, as fast-check arbitraries: byte-level edits of a valid file (bit flips,
 * byte sets, truncation, splices, deletions, insertions) and structured edits of a JSON value
 * (replace / delete / insert at a random path with hostile values: wrong types, huge, negative and
 * fractional numbers, "NaN" strings, lone surrogates, deep nesting).
 */
import fc from "fast-check";

/** One byte-level edit; positions are taken modulo the current length when applied. */
export type ByteOp =
  | { op: "flip"; at: number; bit: number }
  | { op: "set"; at: number; value: number }
  | { op: "truncate"; at: number }
  | { op: "splice"; from: number; len: number; to: number }
  | { op: "delete"; at: number; len: number }
  | { op: "insert"; at: number; bytes: number[] };

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x2c, 0x5b, 0x7b, 0x7d, 0x30, 0x39, 0x2d];

export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("splice" as const), from: fc.nat(), len: fc.integer({ min: 1, max: 4096 }), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 512 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }) },
);

/** 1-6 byte edits (few edits keep most of the file valid, so the parser gets deep). */
export const byteOps = fc.array(byteOp, { minLength: 1, maxLength: 6 });

/** `seed` with the edits applied (a new buffer). */
export function applyByteOps(seed: Uint8Array, ops: ByteOp[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const o of ops) {
    const n = b.length;
    if (o.op === "flip" && n > 0) b[o.at % n] ^= 1 << o.bit;
    else if (o.op === "set" && n > 0) b[o.at % n] = o.value;
    else if (o.op === "truncate") b = b.subarray(0, o.at % (n + 1));
    else if (o.op === "splice" && n > 0) {
      const from = o.from % n;
      const piece = Buffer.from(b.subarray(from, from + o.len));
      const to = o.to % (n + 1);
      b = Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
    } else if (o.op === "delete" && n > 0) {
      const at = o.at % n;
      b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.len)]);
    } else if (o.op === "insert") {
      const at = o.at % (n + 1);
      b = Buffer.concat([b.subarray(0, at), Buffer.from(o.bytes), b.subarray(at)]);
    }
  }
  return new Uint8Array(b);
}

/**
 * A placeholder for `[[[...]]]` / `{"a":{"a":...}}` nested `depth` deep: JSON.parse builds such
 * values fine, but JSON.stringify (recursive) cannot write them, so `jsonText` spells them out.
 */
export class Deep {
  constructor(readonly depth: number, readonly kind: "array" | "object") {}
  text(): string {
    return this.kind === "array" ? "[".repeat(this.depth) + "]".repeat(this.depth) : '{"a":'.repeat(this.depth) + "1" + "}".repeat(this.depth);
  }
}

const DEEP_MARK = "\u0001deep\u0001";

/** JSON text of a value that may hold `Deep` placeholders. */
export function jsonText(v: unknown, indent?: number): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => (x instanceof Deep ? `${DEEP_MARK}${deep.push(x) - 1}` : x), indent) ?? "null";
  if (deep.length === 0) return text;
  return text.replace(/"\\u0001deep\\u0001(\d+)"/g, (_m, i: string) => deep[Number(i)].text());
}

/** The value as a JSON parser would hand it over (placeholders expanded, NaN -> null, ...). */
export function asParsedJson(v: unknown): unknown {
  return JSON.parse(jsonText(v));
}

/** Hostile JSON values: wrong types, extreme numbers, numeric strings, unicode, deep nesting. */
export const evilValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(-1, 0, 1, 2, 0.5, -0.5, 1e12, 1e15, 2 ** 53 + 2, 1e308, -1e308, 2 ** 31, 2 ** 32, -(2 ** 31), "NaN", "Infinity", "-1", "1e400", "", " ", "\u0000", "\ud800", "é🤖\u202e", null, true, false, [], {}, [null], [1e12, 1e12], [-1, 2], { "": null }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(10, 1000, 20000), fc.constantFrom("array" as const, "object" as const)).map(([d, k]) => new Deep(d, k)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }).map((s) => s.repeat(20000)) },
);

/** One structured edit: follow `path` (child indices, modulo the container size) and change what is there. */
export interface JsonOp {
  path: number[];
  kind: "replace" | "delete" | "insert" | "rename";
  value: unknown;
  key: string;
}

export const jsonOp: fc.Arbitrary<JsonOp> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 6 }),
  kind: fc.constantFrom("replace", "replace", "delete", "insert", "rename") as fc.Arbitrary<JsonOp["kind"]>,
  value: evilValue,
  key: fc.oneof(fc.constantFrom("__proto__", "constructor", "", "type", "id", "shape", "dtype", "data_offsets", "__metadata__", "content", "role"), fc.string({ maxLength: 8 })),
});

export const jsonOps = fc.array(jsonOp, { minLength: 1, maxLength: 4 });

/** A deep copy of `seed` (plain JSON) with the edits applied. */
export function applyJsonOps(seed: unknown, ops: JsonOp[]): unknown {
  let root = JSON.parse(JSON.stringify(seed)) as unknown;
  for (const op of ops) root = applyJsonOp(root, op);
  return root;
}

/** A fresh copy of an edit's value (values are shared between edits; Deep placeholders stay leaves). */
function copyValue(v: unknown): unknown {
  if (v instanceof Deep || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(copyValue);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: copyValue(x), enumerable: true, writable: true, configurable: true });
  return out;
}

function applyJsonOp(root: unknown, input: JsonOp): unknown {
  const op = { ...input, value: copyValue(input.value) };
  // Walk down to the container whose child is edited; stop early at leaves.
  let parent: Record<string, unknown> | unknown[] | undefined;
  let key: string | number | undefined;
  let node = root;
  for (const step of op.path) {
    if (node === null || typeof node !== "object" || node instanceof Deep) break;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Record<string, unknown>;
    key = keys[step % keys.length];
    node = (node as Record<string, unknown>)[key as string];
  }
  if (parent === undefined || key === undefined) {
    // The edit hits the root itself.
    if (op.kind === "replace") return op.value;
    if (op.kind === "insert" && root !== null && typeof root === "object" && !Array.isArray(root)) {
      Object.defineProperty(root, op.key, { value: op.value, enumerable: true, writable: true, configurable: true });
    }
    return root;
  }
  if (Array.isArray(parent)) {
    const i = key as number;
    if (op.kind === "replace") parent[i] = op.value;
    else if (op.kind === "delete") parent.splice(i, 1);
    else parent.splice(i, 0, op.value);
  } else {
    const k = key as string;
    if (op.kind === "replace") parent[k] = op.value;
    else if (op.kind === "delete") delete parent[k];
    else if (op.kind === "rename") {
      const v = parent[k];
      delete parent[k];
      Object.defineProperty(parent, op.key, { value: v, enumerable: true, writable: true, configurable: true });
    } else Object.defineProperty(parent, op.key, { value: op.value, enumerable: true, writable: true, configurable: true });
  }
  return root;
}
