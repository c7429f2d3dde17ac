import { test } from "node:test";
import * as assert from "node:assert/strict";
import { fileKeys } from "../../lib/study/study-json";

test("test files are keyed by file name, with parent folders only where names repeat", () => {
  assert.deepEqual(fileKeys(["d/splits/1-1/test.jsonl", "d/splits/1-10/test.jsonl", "/tmp/other/inverted.jsonl"]), ["1-1/test.jsonl", "1-10/test.jsonl", "inverted.jsonl"]);
  assert.deepEqual(fileKeys(["a/x/t.jsonl", "b/x/t.jsonl"]), ["a/x/t.jsonl", "b/x/t.jsonl"]);
  assert.deepEqual(fileKeys(["only.jsonl"]), ["only.jsonl"]);
  assert.throws(() => fileKeys(["a.jsonl", "./a.jsonl"]), /a\.jsonl is given twice/);
});
