/**
 * EventRecord JSONL files: one record per line, validated against the schema on read and on
 * write, written atomically (temporary file + rename).
 *
 * Numbers are written at full precision (JavaScript's shortest round-trip form), so a record read
 * back is bit-identical to the one written (except -0, which JSON writes as 0). Precision is cheap
 * here (~770 bytes per 2-jet record) and lets tests compare files with in-process results exactly.
 */
import * as fs from "node:fs";
import type { EventRecord } from "../jets/record";
import { AtomicWriter } from "../util/atomic";
import { RecordError, validateRecord } from "./validate";

/** One line of a text file, with where it sits in the file. */
export interface JsonlLine {
  /** The line without its newline (and without a trailing \r). */
  text: string;
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte length of `text` as stored (UTF-8, without newline). */
  bytes: number;
}

const READ_BLOCK = 1 << 22; // 4 MiB reads

/** Streams the non-blank lines of a file (blank lines are skipped but counted). */
export function* jsonlLines(path: string): Generator<JsonlLine> {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (err) {
    throw new Error(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    let carry = Buffer.alloc(0);
    let carryOffset = 0; // file offset of carry[0]
    let fileOffset = 0;
    let line = 0;
    const block = Buffer.allocUnsafe(READ_BLOCK);
    for (;;) {
      const n = fs.readSync(fd, block, 0, READ_BLOCK, fileOffset);
      const eof = n === 0;
      const buf = eof ? carry : carry.length ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
      const bufOffset = carryOffset;
      fileOffset += n;
      let start = 0;
      for (;;) {
        let nl = buf.indexOf(10, start);
        if (nl < 0) {
          if (!eof || start >= buf.length) break;
          nl = buf.length; // last line without a newline
        }
        line++;
        let end = nl;
        if (end > start && buf[end - 1] === 13) end--;
        if (end > start) {
          const text = buf.toString("utf8", start, end);
          if (text.trim() !== "") yield { text, line, offset: bufOffset + start, bytes: end - start };
        }
        start = nl + 1;
      }
      if (eof) break;
      // Copy the unfinished tail: `block` is reused by the next read.
      carry = Buffer.from(buf.subarray(start));
      carryOffset = bufOffset + start;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses and validates one line; errors name file:line (and the field). */
export function parseRecordLine(text: string, where: { file: string; line: number }): EventRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RecordError(where.file, where.line, "", `is not valid JSON (${(err as Error).message})`);
  }
  return validateRecord(value, where);
}

/** Streams the records of a JSONL file, validating each. */
export function* readRecords(path: string): Generator<EventRecord> {
  for (const l of jsonlLines(path)) yield parseRecordLine(l.text, { file: path, line: l.line });
}

/** All records of a JSONL file (validated), in file order. */
export function readAllRecords(path: string): EventRecord[] {
  return Array.from(readRecords(path));
}

/** The JSONL text of one record (no newline). */
export function formatRecord(rec: EventRecord): string {
  return JSON.stringify(rec);
}

const FLUSH_CHARS = 1 << 20;

/**
 * Writes records to a temporary file beside `path`, validating each; `commit` renames it into
 * place, `abort` deletes it (use try { ...; commit() } finally { abort() }).
 */
export class RecordWriter {
  /** Lines written so far. */
  count = 0;
  private readonly out: AtomicWriter;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(readonly path: string) {
    this.out = new AtomicWriter(path);
  }

  /** Validates and appends one record. */
  write(rec: EventRecord): void {
    validateRecord(rec, { file: this.path, line: this.count + 1 });
    this.push(formatRecord(rec) + "\n", 1);
  }

  /**
   * Appends `lines` already-validated, newline-terminated JSONL lines (e.g. serialized and checked
   * by a worker against this file's line numbers, or copied from a validated input).
   */
  writeValidatedText(text: string, lines: number): void {
    this.push(text, lines);
  }

  commit(): void {
    this.flush();
    this.out.commit();
  }

  abort(): void {
    this.pending = [];
    this.out.abort();
  }

  private push(text: string, lines: number): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    this.count += lines;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length) this.out.write(this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }
}

/** Writes all records atomically (validating each); returns how many. Leaves no file on error. */
export function writeRecords(path: string, records: Iterable<EventRecord>): number {
  const w = new RecordWriter(path);
  try {
    for (const r of records) w.write(r);
    w.commit();
    return w.count;
  } finally {
    w.abort();
  }
}
