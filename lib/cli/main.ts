/**
 * `hepllm <command> [options]`: finds the command module in ./commands by name and runs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, UsageError } from "./command";
import { BACKEND_CHOICES, parseBackendChoice } from "../llm/kernels/backend";

const COMMANDS_DIR = path.join(__dirname, "commands");

/** Every available command, sorted by name. */
export function listCommands(): Command[] {
  return fs
    .readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => loadCommand(f.slice(0, -3)))
    .filter((c): c is Command => c !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function loadCommand(name: string): Command | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  const file = path.join(COMMANDS_DIR, `${name}.ts`);
  if (!fs.existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require(file) as { command: Command }).command;
}

function help(): string {
  const lines = listCommands().map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return [
    "usage: hepllm [--threads N] <command> [options] [--backend auto|webgpu|tensorflow|wasm|cpu]",
    "",
    "commands:",
    ...lines,
    "",
    "hepllm <command> --help for its options",
    "--threads N (with any command): cores for the native matrix products (default: all; env HEPLLM_THREADS)",
    `--backend (any model command; or env HEPLLM_BACKEND): the tfjs backend, ${BACKEND_CHOICES.join(" | ")}; default auto`,
    "(a hardware WebGPU adapter, else tfjs-node-gpu, else wasm). `hepllm backends` lists what is available here.",
  ].join("\n");
}

/**
 * Takes `--threads N` / `--threads=N` out of the arguments (any position, any command) into
 * HEPLLM_THREADS, which lib/llm/kernels/native.ts reads and child processes inherit.
 */
function takeThreads(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a !== "--threads" && !a.startsWith("--threads=")) {
      rest.push(a);
      continue;
    }
    const v = a === "--threads" ? argv[++i] : a.slice("--threads=".length);
    if (v === undefined || !/^[1-9][0-9]*$/.test(v)) throw new UsageError(`--threads must be a whole number >= 1, got ${JSON.stringify(v ?? "")}`);
    process.env.HEPLLM_THREADS = v;
  }
  return rest;
}

export async function main(args: string[]): Promise<number> {
  let argv: string[];
  try {
    argv = takeBackendFlag(takeThreads(args));
  } catch (err) {
    console.error(`hepllm: ${(err as Error).message}`);
    return 2;
  }
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(help());
    return 0;
  }
  const cmd = loadCommand(name);
  if (!cmd) {
    console.error(`hepllm: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    // node:util parseArgs throws TypeError with code ERR_PARSE_ARGS_* for unknown or malformed flags.
    const code = (err as { code?: string }).code;
    if (err instanceof UsageError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"))) {
      console.error(`hepllm ${name}: ${(err as Error).message}\n\n${cmd.usage}`);
      return 2;
    }
    throw err;
  }
}

/**
 * Removes `--backend X` / `--backend=X` (a global option) from a command's arguments and puts X
 * in HEPLLM_BACKEND, which lib/llm's initBackend reads here, in worker threads and in child
 * processes (study trainings, serve workers) alike.
 */
function takeBackendFlag(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    let value: string | undefined;
    if (a === "--backend") {
      value = args[++i];
      if (value === undefined) throw new Error("--backend needs a value");
    } else if (a.startsWith("--backend=")) value = a.slice("--backend=".length);
    else {
      out.push(a);
      continue;
    }
    process.env.HEPLLM_BACKEND = parseBackendChoice(value);
  }
  return out;
}
