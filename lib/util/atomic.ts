/**
 * Atomic file output: everything is written to `<path>.<pid>.<n>.tmp` beside the target and
 * renamed over it only when complete, so a crash or a bad record never leaves a partial file and
 * never destroys the previous version.
 */
import * as fs from "node:fs";
import * as path from "node:path";

let counter = 0;
function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${counter++}.tmp`);
}

/** Writes a whole file atomically (creating its folder). */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempPath(target);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * A file written piece by piece: `write` appends to the temporary file, `commit` renames it into
 * place, `abort` deletes it. Use `try { ...; w.commit(); } finally { w.abort(); }` (abort after
 * commit does nothing).
 */
export class AtomicWriter {
  readonly target: string;
  readonly tmp: string;
  private fd: number | undefined;

  constructor(target: string) {
    this.target = target;
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    this.tmp = tempPath(target);
    this.fd = fs.openSync(this.tmp, "w");
  }

  write(chunk: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.target}: write after commit/abort`);
    if (typeof chunk === "string") fs.writeSync(this.fd, chunk);
    else fs.writeSync(this.fd, chunk);
  }

  commit(): void {
    if (this.fd === undefined) throw new Error(`${this.target}: already committed or aborted`);
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.tmp, this.target);
  }

  abort(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Atomically replaces a whole folder: build it in `<dir>.tmp-*` via `fill`, then rename over. */
export function writeDirAtomic(target: string, fill: (tmpDir: string) => void): void {
  const parent = path.dirname(path.resolve(target));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = tempPath(target);
  fs.mkdirSync(tmp);
  try {
    fill(tmp);
    const old = fs.existsSync(target) ? tempPath(target) : undefined;
    if (old) fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
