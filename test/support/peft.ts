/**
 * The real Hugging Face stack (torch 2.x, transformers 5.x, peft) as a test reference. Debian's
 * python3-torch is too old for them, so .ci/run installs them into a virtual environment made with
 * --system-site-packages at `.venv-peft/` in the checkout (or set HEPLLM_PEFT_PYTHON).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT, requireReference } from "./shared";

export const PEFT_PYTHON = process.env.HEPLLM_PEFT_PYTHON ?? path.join(REPO_ROOT, ".venv-peft", "bin", "python");

let available: boolean | undefined;
/** Whether the PEFT reference environment imports torch, transformers and peft. */
export function hasPeft(): boolean {
  if (available === undefined) {
    available = fs.existsSync(PEFT_PYTHON) && spawnSync(PEFT_PYTHON, ["-c", "import torch, transformers, peft"], { stdio: "ignore" }).status === 0;
  }
  return available;
}

/**
 * A node:test `skip` value: false when the reference environment works. In CI (env CI set) a
 * missing environment is a failure, not a skip (requireReference in ./shared).
 */
export function skipUnlessPeft(): string | false {
  return requireReference(hasPeft() ? false : `the PEFT reference environment (${PEFT_PYTHON}: torch, transformers, peft) is missing; .ci/run makes it — PEFT conformance skipped`);
}

/** Runs test/llm/reference/peft_ref.py's batch mode; one result per job. */
export function peftBatch(jobs: string[][]): Array<{ logits?: number[][][]; error?: string }> {
  if (!hasPeft()) throw new Error(`PEFT reference environment missing at ${PEFT_PYTHON} (run .ci/run, or set HEPLLM_PEFT_PYTHON)`);
  const script = path.join(REPO_ROOT, "test", "llm", "reference", "peft_ref.py");
  const r = spawnSync(PEFT_PYTHON, [script, "batch", JSON.stringify(jobs)], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`peft_ref.py failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as Array<{ logits?: number[][][]; error?: string }>;
}
