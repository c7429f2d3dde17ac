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

/** A temporary name of tempPath's form; group 1 is the writer's pid. */
const TEMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/**
 * Deletes the temporary files and folders that writers killed mid-write (SIGKILL, power loss) left
 * in `dir`; those of running processes, this one included, stay. Called before every atomic write,
 * so a rerun cleans up after the run it replaces. (A writer in another pid namespace sharing the
 * folder would look dead: not a set-up hepllm supports.)
 */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m && !running(Number(m[1]))) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Deletes a folder so that it is never visible half-deleted under its name: renamed to a temporary
 * name first (one atomic step), then removed. A kill during the removal leaves only the temporary
 * name, which the next atomic write in that folder removes.
 */
export function removeDirAtomic(target: string): void {
  if (!fs.existsSync(target)) return;
  const tmp = tempPath(target);
  fs.renameSync(target, tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Writes a whole file atomically (creating its folder). */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  removeStaleTemps(path.dirname(path.resolve(target)));
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
    removeStaleTemps(path.dirname(path.resolve(target)));
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
  removeStaleTemps(parent);
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
