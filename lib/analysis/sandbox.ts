/**
 * Runs a generated program (TypeScript or JavaScript) in a sandbox: a child `node` process in its
 * own working folder with a time limit (the whole process group is killed), a memory limit
 * (--max-old-space-size for the JS heap, `ulimit -d` for everything else, typed arrays and wasm
 * included), no network (a network namespace via `unshare -n` where the kernel allows it, and/or a
 * preload that stops the program on any connection), and the input data read-only (Node's
 * permission model allows writes only inside the working folder; child processes and workers are
 * refused). TypeScript is transpiled to CommonJS with esbuild first, so no loader thread is needed.
 *
 * Layout of `dir`: program.<ts|js> (as written), program.cjs (what runs), node_modules -> the
 * repository's (so `h5wasm` resolves), work/ (cwd, the only writable place), work/out/ (outputs).
 * The program is called as `node program.cjs <inputDir> <outputDir>`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { transformSync } from "esbuild";

export type Language = "typescript" | "javascript";
/** namespace: unshare -n only; preload: the blocking preload only; both: the two together. */
export type NetworkIsolation = "namespace" | "preload" | "both";

export interface SandboxLimits {
  /** Wall-clock limit [ms]; the process group is killed with SIGKILL after it. */
  timeoutMs: number;
  /** Memory limit [MiB] for the data segment (heap, typed arrays, wasm). */
  memoryMb: number;
  /** auto: "both" where a network namespace can be made, else "preload". */
  network: NetworkIsolation | "auto";
  /** Bytes of stdout and of stderr kept (head and tail). */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 120_000, memoryMb: 4096, network: "auto", maxOutputBytes: 32_768 };

export interface SandboxRun {
  /** The program text. */
  code: string;
  language: Language;
  /** Sandbox folder (created; must not exist or be empty). */
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
  /** The network isolation actually used. */
  network: NetworkIsolation;
}

const REPO_NODE_MODULES = path.resolve(__dirname, "..", "..", "node_modules");
const PRELOAD = path.join(__dirname, "sandbox-preload.cjs");
const live = new Set<number>();
process.once("exit", () => {
  for (const pid of live) killGroup(pid);
});

let unshareArgs: string[] | null | undefined;
/** The `unshare` arguments that create a network namespace here, or null when none works. */
export function networkNamespaceArgs(): string[] | null {
  if (unshareArgs === undefined) {
    unshareArgs = null;
    for (const args of [["-n"], ["-r", "-n"]]) {
      const r = spawnSync("unshare", [...args, "true"], { stdio: "ignore", timeout: 5000 });
      if (r.status === 0) {
        unshareArgs = args;
        break;
      }
    }
  }
  return unshareArgs;
}

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
  const dir = path.resolve(run.dir);
  const work = path.join(dir, "work");
  const outputDir = path.join(work, "out");
  fs.mkdirSync(outputDir, { recursive: true });
  fs.writeFileSync(path.join(dir, run.language === "typescript" ? "program.ts" : "program.js"), run.code);
  const ns = networkNamespaceArgs();
  const network: NetworkIsolation = limits.network === "auto" ? (ns ? "both" : "preload") : limits.network;
  if (network !== "preload" && !ns) throw new Error(`sandbox: network isolation "${network}" needs unshare -n, which is not permitted here`);
  const base = { exitCode: null, signal: null, timedOut: false, durationMs: 0, stdout: "", stderr: "", outputDir, network };
  const compiled = compileProgram(run.code, run.language);
  if ("error" in compiled) return { ...base, stderr: compiled.error, compileError: compiled.error };
  const program = path.join(dir, "program.cjs");
  fs.writeFileSync(program, compiled.code);
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(REPO_NODE_MODULES, path.join(dir, "node_modules"), "dir");

  // Half for the JS heap leaves the rest for typed arrays, wasm and V8 itself: a heap that reaches
  // the data limit first makes V8 thrash in failed collections instead of failing promptly.
  const heapMb = Math.max(64, Math.floor(limits.memoryMb * 0.5));
  const nodeArgs = [
    `--max-old-space-size=${heapMb}`,
    "--experimental-permission",
    "--allow-fs-read=*",
    `--allow-fs-write=${work}`,
    "--no-warnings",
    "--enable-source-maps",
    "--require",
    PRELOAD,
    program,
    path.resolve(run.inputDir),
    outputDir,
  ];
  // ulimit -d takes KiB; exec keeps one process per level so the group kill reaches node.
  const shell = ["sh", "-c", `ulimit -d ${limits.memoryMb * 1024} && exec "$0" "$@"`, process.execPath, ...nodeArgs];
  const argv = network === "preload" ? shell : ["unshare", ...ns!, "--", ...shell];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    TMPDIR: work,
    LANG: "C.UTF-8",
    HEPLLM_SANDBOX_BLOCK_NETWORK: network === "namespace" ? "0" : "1",
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
  return { ...base, exitCode, signal, timedOut, durationMs: Date.now() - start, stdout: out.text(), stderr };
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
