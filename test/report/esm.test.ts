import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { importESM } from "../../lib/report";

test("importESM loads an ES module with top-level await, which require() cannot", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-esm-"));
  try {
    const file = path.join(dir, "tla.mjs");
    fs.writeFileSync(file, "export const value = await Promise.resolve(42);\n");
    assert.throws(() => require(file));
    const m = await importESM<{ value: number }>(file);
    assert.equal(m.value, 42);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
