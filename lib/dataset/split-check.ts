/**
 * The proof that a split does not leak: every set's event ids hashed (`idsSha256`) and a re-read
 * of the written files that fails if any event id sits in two sets (of any ratio), or if a file
 * disagrees with the counts and hashes its `split.json` records.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { jsonlLines } from "./jsonl";

/** sha256 (hex) of the ids sorted numerically and joined by "\n" (no trailing newline; "" for no ids). */
export function idsSha256(ids: Iterable<number>): string {
  const sorted = Float64Array.from(ids).sort();
  return createHash("sha256").update(Array.from(sorted, String).join("\n")).digest("hex");
}

/** What split.json says about one file (a subset of SplitPart). */
export interface PartRecord {
  path: string;
  signal: number;
  background: number;
  total: number;
  idsSha256: string;
}

/** What verifySplit needs from split.json: the sets and their parts, keyed by part name. */
export interface SplitRecord {
  outDir: string;
  sets: Array<{ name: string } & Record<"train" | "val" | "test", PartRecord>>;
}

export const SPLIT_PARTS = ["train", "val", "test"] as const;

/**
 * Re-reads every file of a split (a summary, or the `split.json` in a folder) and throws when an
 * event id appears in two sets or twice in one, or when a file's counts or id hash differ from the
 * record. Returns the number of distinct events checked.
 */
export function verifySplit(split: SplitRecord | string): number {
  const rec: SplitRecord = typeof split === "string" ? readSplitJson(split) : split;
  const seen = new Map<number, string>(); // id -> "1-10/val"
  for (const st of rec.sets) {
    for (const part of SPLIT_PARTS) {
      const p = st[part];
      const where = `${st.name}/${part}`;
      const ids: number[] = [];
      let signal = 0;
      for (const l of jsonlLines(p.path)) {
        let r: { id?: unknown; type?: unknown };
        try {
          r = JSON.parse(l.text);
        } catch (err) {
          throw new Error(`${p.path}:${l.line}: not valid JSON (${(err as Error).message})`);
        }
        if (typeof r.id !== "number") throw new Error(`${p.path}:${l.line}: record has no numeric id`);
        const before = seen.get(r.id);
        if (before !== undefined) {
          throw new Error(`split leaks: event id ${r.id} is in ${before} and in ${where} (${p.path}:${l.line})`);
        }
        seen.set(r.id, where);
        ids.push(r.id);
        if (r.type === "signal") signal++;
      }
      const got = { total: ids.length, signal, background: ids.length - signal };
      for (const k of ["total", "signal", "background"] as const) {
        if (got[k] !== p[k]) throw new Error(`${p.path}: ${got[k]} ${k} events, split.json says ${p[k]}`);
      }
      const h = idsSha256(ids);
      if (h !== p.idsSha256) throw new Error(`${p.path}: the ids hash to ${h}, split.json says ${p.idsSha256}`);
    }
  }
  return seen.size;
}

function readSplitJson(dir: string): SplitRecord {
  const file = path.join(dir, "split.json");
  let rec: SplitRecord;
  try {
    rec = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file}: cannot read the split record (${(err as Error).message})`);
  }
  if (!Array.isArray(rec.sets)) throw new Error(`${file}: no "sets" array`);
  for (const st of rec.sets) {
    for (const part of SPLIT_PARTS) {
      if (!st[part] || typeof st[part].idsSha256 !== "string") throw new Error(`${file}: set ${st.name} has no ${part} part with idsSha256`);
      // The layout is fixed; the recorded path may be relative to another working directory.
      st[part].path = path.join(dir, st.name, `${part}.jsonl`);
    }
  }
  return rec;
}
