/** Fuzz: 200 mutated lhco-hdf5 inputs (fixed seed) each parse or throw a clean hepllm error, in time. See test/fuzz/clean-error.ts. */
import { test } from "node:test";
import { lhcoFormat } from "./formats";
import { fuzzProperty } from "./property";

test("fuzz lhco-hdf5: every mutated input parses or fails cleanly", { timeout: 120_000 }, async () => {
  await fuzzProperty(lhcoFormat, 200);
});
