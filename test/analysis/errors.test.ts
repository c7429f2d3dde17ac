import { test } from "node:test";
import * as assert from "node:assert/strict";
import { categoriseByRules } from "../../lib/analysis/errors";
import type { SandboxResult } from "../../lib/analysis/sandbox";
import type { ValidationReport } from "../../lib/analysis/validate";

const run = (o: Partial<SandboxResult>): SandboxResult => ({
  exitCode: 0, signal: null, timedOut: false, durationMs: 10, stdout: "", stderr: "", outputDir: "/x/out", isolation: "bwrap", reads: "inputs", ...o,
});
const ok: ValidationReport = { ok: true, files: [] };

test("rules: each failure kind gets its category", () => {
  const cases: [Parameters<typeof categoriseByRules>[0], string][] = [
    [{ apiError: "APIError: 500 upstream" }, "api_error"],
    [{ noCode: true }, "no_code"],
    [{ sandbox: run({ compileError: 'SyntaxError: Unexpected "=" at line 1', exitCode: null }) }, "syntax_error"],
    [{ sandbox: run({ exitCode: 1, stderr: "/x/program.js:3\n  foo(\n     ^\n\nSyntaxError: missing ) after argument list" }) }, "syntax_error"],
    [{ sandbox: run({ exitCode: null, signal: "SIGKILL", timedOut: true }) }, "timeout"],
    [{ sandbox: run({ exitCode: 97, stderr: "SANDBOX VIOLATION: write to /data/events.h5 (outside the working folder)" }) }, "sandbox_write"],
    [{ sandbox: run({ exitCode: 98, stderr: "SANDBOX VIOLATION: network access (fetch) is not allowed" }) }, "sandbox_network"],
    [{ sandbox: run({ exitCode: 1, stderr: "Error: connect ENETUNREACH 127.0.0.1:80" }) }, "sandbox_network"],
    [{ sandbox: run({ exitCode: 134, stderr: "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory" }) }, "memory_limit"],
    [{ sandbox: run({ exitCode: 1, stderr: "RangeError: Array buffer allocation failed" }) }, "memory_limit"],
    [{ sandbox: run({ exitCode: 1, stderr: "Error: ENOENT: no such file or directory, open '/in/feature.npy'" }) }, "missing_input"],
    [{ sandbox: run({ exitCode: 1, stderr: "TypeError: x.map is not a function\n    at main" }) }, "runtime_exception"],
    [{ sandbox: run({}), validation: { ok: false, files: [{ file: "a.npy", ok: false, problem: "missing", message: "a.npy: not written" }] } }, "missing_output"],
    [{ sandbox: run({}), validation: { ok: false, files: [{ file: "a.npy", ok: false, problem: "unreadable" }] } }, "bad_output"],
    [{ sandbox: run({}), validation: { ok: false, files: [{ file: "a.npy", ok: false, problem: "shape" }] } }, "wrong_shape"],
    [{ sandbox: run({}), validation: { ok: false, files: [{ file: "a.npy", ok: false, problem: "mismatch" }] } }, "validation_mismatch"],
  ];
  for (const [outcome, want] of cases) assert.equal(categoriseByRules(outcome)?.category, want, JSON.stringify(outcome));
});

test("rules: success is no error; descriptions are one line", () => {
  assert.equal(categoriseByRules({ sandbox: run({}), validation: ok }), null);
  const e = categoriseByRules({ sandbox: run({ exitCode: 1, stderr: "at x\nTypeError: bad\n  thing\n" }) })!;
  assert.equal(e.description, "TypeError: bad");
});
