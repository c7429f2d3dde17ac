/**
 * Runs a generated program (TypeScript or JavaScript) in a sandbox that fails closed: a child `node`
 * process inside an isolation backend (isolation/: bubblewrap, or a user + network namespace with
 * `unshare`), so it has no network by construction; where no backend works, runInSandbox throws
 * IsolationUnavailableError (how to enable one) unless the user opted out by name
 * (UNSAFE_NO_SANDBOX, which warns on every run). Always on top: Node's permission model (reads of
 * the program's folder, its inputs and the packages only; writes only in the working folder; no
 * child processes, workers or native addons), a time limit (the whole process group and PID
 * namespace are killed), a memory limit (--max-old-space-size for the JS heap, `ulimit -d` for
 * everything else, typed arrays and wasm included), and a preload that turns an attempt into a
 * clear SANDBOX VIOLATION (defence in depth; the guarantee does not rest on it).
 * TypeScript is transpiled to CommonJS with esbuild first, so no loader thread is needed.
 *
 * Layout of `dir`: program.<ts|js> (as written), program.cjs (what runs), node_modules -> the
 * repository's (so `h5wasm` resolves), in/ (hard links to the inputs), work/ (cwd, the only
 * writable place), work/out/ (outputs). The program is called as `node program.cjs <dir>/in <dir>/work/out`.
 * Keep `dir` on the file system of the inputs (hard links cannot cross file systems; the
 * fallback is symlinks with reads allowed everywhere by the permission model, see SandboxResult.reads).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { transformSync } from "esbuild";
import { FsView, IsolationChoice, IsolationName } from "./isolation/backend";
import { chooseIsolation } from "./isolation/choose";
import { permissionFlag } from "./isolation/node-permission";

export type Language = "typescript" | "javascript";

export interface SandboxLimits {
  /** Wall-clock limit [ms]; the process group (and PID namespace) is killed with SIGKILL after it. */
  timeoutMs: number;
  /** Memory limit [MiB] for the data segment (heap, typed arrays, wasm). */
  memoryMb: number;
  /** Isolation backend: auto picks the first that works; "none-i-accept-the-risk" is the opt-out. */
  isolation: IsolationChoice;
  /** Bytes of stdout and of stderr kept (head and tail). */
  maxOutputBytes: number;
  /** The preload's violation traps (off only in tests that prove the isolation holds without them). */
  traps: boolean;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 120_000, memoryMb: 4096, isolation: "auto", maxOutputBytes: 32_768, traps: true };

export interface SandboxRun {
  /** The program text. */
  code: string;
  language: Language;
  /** Sandbox folder (created; must not exist or be empty, else runInSandbox throws). */
  dir: string;
  /** Read-only input folder handed to the program as argv[2]. */
  inputDir: string;
  limits?: Partial<SandboxLimits>;
}

export interface SandboxResult {
  /** Exit status, or null when killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** Where the program's outputs are (dir/work/out). */
  outputDir: string;
  /** Set when the program did not compile (it was not run). */
  compileError?: string;
  /** The isolation backend used. */
  isolation: IsolationName;
  /** Permission model: "inputs": reads limited to the program's folder, inputs and packages; "all": inputs had to be symlinked. */
  reads: "inputs" | "all";
}

const REPO_NODE_MODULES = path.resolve(__dirname, "..", "..", "node_modules");
const PRELOAD = path.join(__dirname, "sandbox-preload.cjs");
/** h5wasm's built-in plugin folder: HDF5 lists it when opening a file, and a refused read (rather than ENOENT) fails the open. */
const H5WASM_DEFAULT_PLUGIN_DIR = "/usr/local/hdf5/lib/plugin";
const live = new Set<number>();
process.once("exit", () => {
  for (const pid of live) killGroup(pid);
});

/** Transpiles to CommonJS; returns the code or a compile error with line and column. */
export function compileProgram(code: string, language: Language): { code: string } | { error: string } {
  try {
    const out = transformSync(code, {
      loader: language === "typescript" ? "ts" : "js",
      format: "cjs",
      platform: "node",
      target: "node20",
      sourcemap: "inline",
      sourcefile: language === "typescript" ? "program.ts" : "program.js",
    });
    return { code: out.code };
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { line: number; column: number; lineText: string } }[] }).errors;
    if (!errors) return { error: `SyntaxError: ${(err as Error).message}` };
    return {
      error: errors
        .map((e) => `SyntaxError: ${e.text}${e.location ? ` at line ${e.location.line}, column ${e.location.column}: ${e.location.lineText.trim()}` : ""}`)
        .join("\n"),
    };
  }
}

/** Runs the program to completion (or to its limits). */
export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  const limits = { ...DEFAULT_LIMITS, ...run.limits };
  const backend = chooseIsolation(limits.isolation); // throws (fails closed) when no isolation works
  if (backend.warning) process.stderr.write(backend.warning + "\n"); // the opt-out, on every run
  // A file already there (a symlink out of the working folder, say) would be trusted: the permission
  // model checks paths, not where links lead. Only a new folder is safe.
  if (fs.existsSync(run.dir) && fs.readdirSync(run.dir).length > 0) {
    throw new Error(`sandbox: ${run.dir} must be a new or empty folder (it holds ${fs.readdirSync(run.dir).slice(0, 5).join(", ")}); remove it or choose another`);
  }
  fs.mkdirSync(path.join(run.dir, "work", "out"), { recursive: true });
  const dir = fs.realpathSync(run.dir); // the isolation binds real paths
  const work = path.join(dir, "work");
  const outputDir = path.join(work, "out");
  fs.writeFileSync(path.join(dir, run.language === "typescript" ? "program.ts" : "program.js"), run.code);
  const base = { exitCode: null, signal: null, timedOut: false, durationMs: 0, stdout: "", stderr: "", outputDir, isolation: backend.name, reads: "inputs" as const };
  const compiled = compileProgram(run.code, run.language);
  if ("error" in compiled) return { ...base, stderr: compiled.error, compileError: compiled.error };
  const program = path.join(dir, "program.cjs");
  fs.writeFileSync(program, compiled.code);
  // to the real folder: inside bwrap only real paths exist
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(fs.realpathSync(REPO_NODE_MODULES), path.join(dir, "node_modules"), "dir");
  const inputDir = path.join(dir, "in");
  const staged = stageInputs(path.resolve(run.inputDir), inputDir);
  const contained = staged.length === 0;
  // the isolation shows what exists of the readable paths (the plugin folder usually does not)
  const view: FsView = { readOnly: [...readablePaths(dir).filter((p) => fs.existsSync(p)), ...staged], writable: work };

  // Half for the JS heap leaves the rest for typed arrays, wasm and V8 itself: a heap that reaches
  // the data limit first makes V8 thrash in failed collections instead of failing promptly.
  const heapMb = Math.max(64, Math.floor(limits.memoryMb * 0.5));
  const nodeArgs = [
    `--max-old-space-size=${heapMb}`,
    permissionFlag(),
    ...(contained ? readablePaths(dir).map((p) => `--allow-fs-read=${p}`) : ["--allow-fs-read=*"]),
    `--allow-fs-write=${work}`,
    "--no-warnings",
    "--enable-source-maps",
    "--require",
    fs.realpathSync(PRELOAD),
    program,
    inputDir,
    outputDir,
  ];
  // ulimit -d takes KiB; exec keeps one process per level so the group kill reaches node.
  const shell = ["/bin/sh", "-c", `ulimit -d ${limits.memoryMb * 1024} && exec "$0" "$@"`, fs.realpathSync(process.execPath), ...nodeArgs];
  const argv = backend.wrap(shell, view);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    TMPDIR: work,
    LANG: "C.UTF-8",
    HEPLLM_SANDBOX_TRAPS: limits.traps ? "1" : "0",
  };

  const start = Date.now();
  const child = spawn(argv[0], argv.slice(1), { cwd: work, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) live.add(child.pid);
  const out = new Capture(limits.maxOutputBytes);
  const err = new Capture(limits.maxOutputBytes);
  child.stdout!.on("data", (b: Buffer) => out.add(b));
  child.stderr!.on("data", (b: Buffer) => err.add(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) killGroup(child.pid);
  }, limits.timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.on("error", (e) => {
      err.add(Buffer.from(`sandbox: could not start: ${e.message}\n`));
      resolve([null, null]);
    });
    child.on("close", (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timer);
  if (child.pid !== undefined) {
    killGroup(child.pid); // anything the program left behind in its group
    live.delete(child.pid);
  }
  let stderr = err.text();
  if (timedOut) stderr += `\nSANDBOX: time limit of ${limits.timeoutMs / 1000} s exceeded; the program was killed\n`;
  return { ...base, exitCode, signal, timedOut, durationMs: Date.now() - start, stdout: out.text(), stderr, reads: contained ? "inputs" : "all" };
}

/**
 * What a program may read: its own folder, its inputs (and the files they link to), the packages
 * and the preload. Nothing else (no home folder with API keys, no other results): whatever a
 * program prints goes to the supervisor's endpoint.
 */
function readablePaths(dir: string): string[] {
  return [dir, fs.realpathSync(REPO_NODE_MODULES), fs.realpathSync(PRELOAD), H5WASM_DEFAULT_PLUGIN_DIR];
}

/**
 * Copies the input folder into `<dir>/in` as hard links to the real files (no data are copied).
 * Links, not symlinks: HDF5 resolves a symlinked file's real path component by component, which
 * the read restriction refuses. Returns the real paths of the inputs that could only be symlinked
 * (another file system, or a folder): the permission model must then allow reads everywhere, and
 * the isolation must show them read-only.
 */
function stageInputs(inputDir: string, staged: string): string[] {
  fs.mkdirSync(staged, { recursive: true });
  const linked: string[] = [];
  for (const name of fs.readdirSync(inputDir)) {
    let real: string;
    try {
      real = fs.realpathSync(path.join(inputDir, name));
    } catch {
      continue; // a dangling link: the program will find the input missing
    }
    const dest = path.join(staged, name);
    try {
      if (fs.statSync(real).isDirectory()) throw new Error("folder");
      fs.linkSync(real, dest);
    } catch {
      fs.symlinkSync(real, dest);
      linked.push(real);
    }
  }
  return linked;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* already gone */
  }
}

/** Keeps the first and last halves of a stream past `max` bytes, noting how much was dropped. */
class Capture {
  private head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  private dropped = 0;
  constructor(private readonly max: number) {}

  add(b: Buffer): void {
    const room = Math.floor(this.max / 2) - this.headLen;
    if (room > 0) {
      this.head.push(b.subarray(0, room));
      this.headLen += Math.min(room, b.length);
      b = b.subarray(room);
    }
    if (b.length === 0) return;
    this.tail.push(b);
    this.tailLen += b.length;
    const keep = Math.ceil(this.max / 2);
    while (this.tailLen - this.tail[0].length >= keep) {
      this.dropped += this.tail[0].length;
      this.tailLen -= this.tail.shift()!.length;
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    return this.dropped > 0 ? `${head}\n[... ${this.dropped} bytes not kept ...]\n${tail}` : head + tail;
  }
}
