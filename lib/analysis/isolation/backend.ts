/**
 * One interface for the ways a generated program can be isolated from the network and the file
 * system (bwrap.ts, user-namespace.ts, none.ts; choose.ts picks one). A backend only wraps a
 * command line; the sandbox (../sandbox.ts) builds the command, the limits and the file view.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

export type IsolationName = "bwrap" | "unshare" | "none";
/** The opt-out, named so that nobody picks it by accident. */
export const UNSAFE_NO_SANDBOX = "none-i-accept-the-risk";
/** auto: the first backend that works here (bwrap, then unshare); never "none" by itself. */
export type IsolationChoice = "auto" | "bwrap" | "unshare" | typeof UNSAFE_NO_SANDBOX;
export const ISOLATION_CHOICES: IsolationChoice[] = ["auto", "bwrap", "unshare", UNSAFE_NO_SANDBOX];

/** What the program may see: absolute real paths (no symlinks on the way). */
export interface FsView {
  /** Files and folders visible read-only (the program's folder, its inputs, node_modules, ...). */
  readOnly: string[];
  /** The one writable folder, also the working directory; may lie inside a read-only one. */
  writable: string;
}

export interface IsolationBackend {
  readonly name: IsolationName;
  /** One line on what it cuts off (logged with each run's result). */
  readonly describe: string;
  /** Printed on stderr before every run (the opt-out's warning); absent for real isolation. */
  readonly warning?: string;
  /** null when the backend works on this machine, else why not (one line). Slow: choose.ts caches it. */
  probe(): string | null;
  /** The command line that runs `argv` (an absolute executable first) inside the isolation. */
  wrap(argv: string[], view: FsView): string[];
}

/**
 * A node program run by probes inside a backend: it fails unless the only network interface it
 * can see is loopback, so a backend that "works" but leaves the network up is not accepted.
 */
const PROBE_PROGRAM =
  "const n = Object.keys(require('os').networkInterfaces()).filter((k) => k !== 'lo');" +
  "if (n.length) { console.error('network interfaces visible: ' + n.join(', ')); process.exit(3); }";

/** Runs the probe program through `wrap`; null when it passed, else the reason. */
export function probeWith(wrap: (argv: string[], view: FsView) => string[]): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-isolation-probe-"));
  try {
    const argv = wrap([fs.realpathSync(process.execPath), "-e", PROBE_PROGRAM], { readOnly: [], writable: fs.realpathSync(dir) });
    const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: "utf8", timeout: 15_000, env: { PATH: process.env.PATH } });
    if (r.error) return `${argv[0]}: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "not installed" : r.error.message}`;
    if (r.status !== 0) return `${argv.slice(0, 3).join(" ")} ... failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().split("\n").slice(-1)[0] ?? ""}`;
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
