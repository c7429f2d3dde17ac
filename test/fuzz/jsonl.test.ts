/** Fuzz: 300 mutated jsonl inputs (fixed seed) each parse or throw a clean hepllm error, in time. See test/fuzz/clean-error.ts. */
import { test } from "node:test";
import { jsonlFormat } from "./formats";
import { fuzzProperty } from "./property";

test("fuzz jsonl: every mutated input parses or fails cleanly", { timeout: 120_000 }, async () => {
  await fuzzProperty(jsonlFormat, 300);
});
