/** The fuzz property every format test runs: each input parses or throws a clean error, in time. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import type { FuzzFormat } from "./formats";

/** CI's fixed seed (change it only on purpose: failures must reproduce). */
export const FUZZ_SEED = 14_2026;
/** Per-input time limit in the tests (ms); bench/fuzz calls > 5 s a hang. */
export const INPUT_TIME_LIMIT_MS = 5000;

/** Runs `numRuns` mutated inputs of `format`; throws on an unclean error or a slow input. */
export async function fuzzProperty(format: FuzzFormat, numRuns: number, seed = FUZZ_SEED): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hepllm-fuzz-${format.name}-`));
  try {
    const c = await format.setup(dir);
    await fc.assert(
      fc.asyncProperty(c.arbitrary, async (input) => {
        const t0 = performance.now();
        try {
          await c.run(input);
        } catch (err) {
          const why = c.unclean(err);
          if (why) throw new Error(`${format.name}: not a clean error: ${why}\n${(err as Error)?.stack ?? ""}`);
        }
        const ms = performance.now() - t0;
        if (ms > INPUT_TIME_LIMIT_MS) throw new Error(`${format.name}: one input took ${ms.toFixed(0)} ms (limit ${INPUT_TIME_LIMIT_MS})`);
      }),
      { seed, numRuns },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
