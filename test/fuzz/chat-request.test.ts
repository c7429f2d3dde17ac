/** Fuzz: 400 mutated chat-request inputs (fixed seed) each parse or throw a clean hepllm error, in time. See test/fuzz/clean-error.ts. */
import { test } from "node:test";
import { chatRequestFormat } from "./formats";
import { fuzzProperty } from "./property";

test("fuzz chat-request: every mutated input parses or fails cleanly", { timeout: 120_000 }, async () => {
  await fuzzProperty(chatRequestFormat, 400);
});
