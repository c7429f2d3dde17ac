/** Fuzz: 300 mutated safetensors inputs (fixed seed) each parse or throw a clean hepllm error, in time. See test/fuzz/clean-error.ts. */
import { test } from "node:test";
import { safetensorsFormat } from "./formats";
import { fuzzProperty } from "./property";

test("fuzz safetensors: every mutated input parses or fails cleanly", { timeout: 120_000 }, async () => {
  await fuzzProperty(safetensorsFormat, 300);
});
