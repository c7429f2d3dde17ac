/**
 * What "a clean hepllm error" means for the fuzz tests and bench/fuzz — the one definition.
 *
 * A parser given untrusted input must either return, or throw an error that is
 *   1. an `Error`, but NOT one of the JavaScript engine's own kinds (TypeError, RangeError,
 *      SyntaxError, ReferenceError, EvalError, URIError, WebAssembly.RuntimeError, ...): those mean
 *      the parser tripped over the input instead of rejecting it (e.g. `null.foo`, a stack
 *      overflow, `new ArrayBuffer(1e12)`, an invalid RegExp, a wasm trap), and
 *   2. located: its message names where the problem is — the file (path), or for in-memory
 *      inputs the field (a request body's HttpError 400 names its `param` or field in the message).
 * Everything else is a crash. A hang (an input taking longer than the time limit) is counted apart.
 */
import { HttpError } from "../../lib/serve/errors";

const ENGINE_ERRORS: Function[] = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];
// WebAssembly traps (h5wasm, the tfjs wasm backend): the lib's DOM-less typings lack the namespace's values.
const wasm = (globalThis as unknown as { WebAssembly?: Record<string, Function> }).WebAssembly;
if (wasm) ENGINE_ERRORS.push(wasm.RuntimeError, wasm.CompileError, wasm.LinkError);

/** How one input ended. */
export type Outcome = "ok" | "clean" | "crash";

/**
 * Why `err` is not a clean error (undefined when it is). `where`: the strings of which the
 * message must contain at least one (file path, file name, ...); empty = only rule 1 applies,
 * used with `httpParam` for request bodies.
 */
export function uncleanReason(err: unknown, where: string[]): string | undefined {
  if (!(err instanceof Error)) return `threw a non-Error: ${String(err)}`;
  for (const E of ENGINE_ERRORS) if (err instanceof E) return `engine error ${err.constructor.name}: ${err.message}`;
  if (!err.message) return "error without a message";
  if (where.length > 0 && !where.some((w) => err.message.includes(w))) return `message does not name ${where.join(" or ")}: ${err.message}`;
  return undefined;
}

/** Request bodies: clean = HttpError 400 (which names its field). */
export function uncleanHttpReason(err: unknown): string | undefined {
  const r = uncleanReason(err, []);
  if (r) return r;
  if (!(err instanceof HttpError) || err.status !== 400) return `not an HttpError 400: ${(err as Error).name}: ${(err as Error).message}`;
  return undefined;
}
