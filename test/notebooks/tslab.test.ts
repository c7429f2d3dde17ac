/**
 * Notebooks compile lib/ with tslab's bundled TypeScript 5.0, not the repo's 5.9: every lib file
 * must parse with it (no newer syntax such as `using` declarations), and the notebook machinery
 * must be in place (kernel wrapper, runner, numbered notebooks valid JSON with the tslab kernel).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../support/shared";

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return tsFiles(p);
    return d.name.endsWith(".ts") && !d.name.endsWith(".d.ts") ? [p] : [];
  });
}

test("every lib/ file parses with tslab's TypeScript 5.0", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
  assert.match(ts.version, /^5\.0\./);
  const files = tsFiles(path.join(REPO_ROOT, "lib"));
  const program = ts.createProgram(files, { noResolve: true, noLib: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS });
  const problems = files.flatMap((f) =>
    program.getSyntacticDiagnostics(program.getSourceFile(f)).map((d) => {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${path.relative(REPO_ROOT, f)}${pos ? `:${pos.line + 1}:${pos.character + 1}` : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    }),
  );
  assert.deepEqual(problems, [], `syntax tslab (TypeScript 5.0) cannot compile:\n${problems.join("\n")}`);
});

test("the tslab parse check does fail on newer syntax", () => {
  const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
  const src = ts.createSourceFile("x.ts", "export function f() { using r = open(); return r; }\n", ts.ScriptTarget.ES2022);
  const program = ts.createProgram({ rootNames: ["x.ts"], options: { noLib: true, noResolve: true }, host: { ...ts.createCompilerHost({}), getSourceFile: () => src } });
  assert.ok(program.getSyntacticDiagnostics(src).length > 0);
});

test("notebooks are valid JSON, numbered, and use the tslab kernel", () => {
  const dir = path.join(REPO_ROOT, "notebooks");
  const notebooks = fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb"));
  assert.ok(notebooks.length > 0);
  for (const f of notebooks) {
    assert.match(f, /^\d\d-[a-z0-9-]+\.ipynb$/, `${f}: name notebooks NN-topic.ipynb`);
    const nb = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { nbformat: number; metadata: { kernelspec?: { name?: string } }; cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }> };
    assert.equal(nb.nbformat, 4, f);
    assert.equal(nb.metadata.kernelspec?.name, "tslab", `${f}: kernelspec must be tslab`);
    // Committed outputs stay light: no plotly bundles or scripts inside notebooks.
    const text = JSON.stringify(nb.cells.flatMap((c) => c.outputs ?? []));
    assert.ok(!/plotly\.js|cdn\.plot\.ly|application\/vnd\.plotly/.test(text), `${f}: outputs embed plotly`);
    assert.ok(text.length < 2_000_000, `${f}: outputs are ${text.length} bytes; keep committed outputs light (SVG)`);
  }
  for (const script of ["scripts/notebooks.sh", "scripts/install-kernel.sh", "scripts/tslab-kernel.sh", "scripts/run-notebook.py"]) {
    assert.ok(fs.existsSync(path.join(REPO_ROOT, script)), `${script} is missing`);
  }
});
