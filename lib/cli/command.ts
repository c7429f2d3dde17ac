/**
 * The shape of one `hepllm` subcommand. Each lives in `lib/cli/commands/<name>.ts` and exports
 * `command`; `main.ts` finds them by file name, so adding a command touches no other file.
 */
export interface Command {
  /** The word after `hepllm`, equal to the file name. */
  name: string;
  /** One line for `hepllm help`. */
  summary: string;
  /** The full usage text, printed by `hepllm <name> --help` and on a usage error. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** A mistake in the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
