/**
 * Error categories of a failed iteration, assigned by rules on what the sandbox and the validator
 * saw (exit status, signals, stderr, the validation report); what no rule recognises is "other",
 * which an optional model-based categoriser (categoriser.ts) may refine.
 */
import type { SandboxResult } from "./sandbox";
import type { ValidationReport } from "./validate";

export type ErrorCategory =
  | "api_error" // the model endpoint failed (after retries)
  | "no_code" // the coder's reply held no program
  | "syntax_error"
  | "timeout"
  | "sandbox_write" // tried to write outside its working folder (e.g. into the data)
  | "sandbox_network" // tried to open a network connection
  | "memory_limit"
  | "missing_input" // tried to read an input file that is not there
  | "runtime_exception"
  | "missing_output"
  | "bad_output" // an output file that cannot be read (.npy header, JSON)
  | "wrong_shape"
  | "validation_mismatch"
  | "other";

export const ERROR_CATEGORIES: ErrorCategory[] = [
  "api_error", "no_code", "syntax_error", "timeout", "sandbox_write", "sandbox_network", "memory_limit",
  "missing_input", "runtime_exception", "missing_output", "bad_output", "wrong_shape", "validation_mismatch", "other",
];

export interface IterationOutcome {
  /** Message of an API failure (the iteration never ran). */
  apiError?: string;
  /** True when the coder's reply had no code block. */
  noCode?: boolean;
  sandbox?: SandboxResult;
  validation?: ValidationReport;
}

export interface CategorisedError {
  category: ErrorCategory;
  /** One line for the summary CSV. */
  description: string;
}

/** The rule-based category of a failed iteration; null when it succeeded. */
export function categoriseByRules(o: IterationOutcome): CategorisedError | null {
  if (o.apiError !== undefined) return { category: "api_error", description: oneLine(o.apiError) };
  if (o.noCode) return { category: "no_code", description: "the reply contained no fenced code block" };
  const s = o.sandbox;
  if (s) {
    const err = s.stderr;
    if (s.compileError) return { category: "syntax_error", description: firstLine(s.compileError) };
    if (s.timedOut) return { category: "timeout", description: `killed after the time limit (${(s.durationMs / 1000).toFixed(1)} s)` };
    if (s.exitCode === 97 || /SANDBOX VIOLATION: write/.test(err) || /ERR_ACCESS_DENIED[\s\S]*FileSystemWrite/.test(err)) {
      return { category: "sandbox_write", description: matchLine(err, /SANDBOX VIOLATION.*|.*ERR_ACCESS_DENIED.*/) ?? "write outside the working folder" };
    }
    if (s.exitCode === 98 || /SANDBOX VIOLATION: network/.test(err) || /\b(ENETUNREACH|EAI_AGAIN|ECONNREFUSED|ENOTFOUND)\b/.test(err)) {
      return { category: "sandbox_network", description: matchLine(err, /SANDBOX VIOLATION.*|.*\b(ENETUNREACH|EAI_AGAIN|ECONNREFUSED|ENOTFOUND)\b.*/) ?? "network access" };
    }
    if (/heap out of memory|Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Cannot allocate memory|std::bad_alloc|WebAssembly\.Memory\b.*(grow|allocat)|RangeError: Invalid typed array length/.test(err)) {
      const line = matchLine(err, /.*(heap out of memory|Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Cannot allocate memory|bad_alloc|Invalid typed array length).*/);
      return { category: "memory_limit", description: line ?? "memory limit exceeded" };
    }
    if (s.exitCode !== 0) {
      if (/^SyntaxError\b/m.test(err)) return { category: "syntax_error", description: matchLine(err, /^SyntaxError.*/m)! };
      if (/ENOENT/.test(err) && !/ENOENT[^\n]*\/out\//.test(err)) return { category: "missing_input", description: matchLine(err, /.*ENOENT.*/)! };
      return { category: "runtime_exception", description: errorLine(err) ?? `exit status ${s.exitCode ?? s.signal}` };
    }
  }
  const v = o.validation;
  if (v && !v.ok) {
    const bad = v.files.filter((f) => !f.ok);
    const pick = (p: string) => bad.filter((f) => f.problem === p).map((f) => f.message ?? f.file).join("; ");
    if (bad.some((f) => f.problem === "missing")) return { category: "missing_output", description: pick("missing") };
    if (bad.some((f) => f.problem === "unreadable")) return { category: "bad_output", description: oneLine(pick("unreadable")) };
    if (bad.some((f) => f.problem === "shape")) return { category: "wrong_shape", description: pick("shape") };
    return { category: "validation_mismatch", description: oneLine(bad.map((f) => f.message ?? f.file).join("; ")) };
  }
  if (!s && !v) return { category: "other", description: "nothing was run" };
  return null;
}

/** The most telling line of a Node error dump: "TypeError: ...", "Error: ...". */
function errorLine(err: string): string | undefined {
  return matchLine(err, /^\s*(?:Uncaught )?[A-Za-z]*Error\b.*$/m) ?? matchLine(err, /\S.*/);
}

function matchLine(text: string, re: RegExp): string | undefined {
  const m = re.exec(text);
  return m ? oneLine(m[0]) : undefined;
}

function firstLine(s: string): string {
  return oneLine(s.split("\n")[0]);
}

function oneLine(s: string, max = 200): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}
