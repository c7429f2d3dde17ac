/** Fuzz: 300 mutated train-config inputs (fixed seed) each parse or throw a clean hepllm error, in time. See test/fuzz/clean-error.ts. */
import { test } from "node:test";
import { trainConfigFormat } from "./formats";
import { fuzzProperty } from "./property";

test("fuzz train-config: every mutated input parses or fails cleanly", { timeout: 120_000 }, async () => {
  await fuzzProperty(trainConfigFormat, 300);
});
