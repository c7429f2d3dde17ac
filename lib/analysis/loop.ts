/**
 * The supervisor–coder loop for one analysis step: the supervisor turns the step's contract into
 * instructions, the coder writes a program, the program runs in the sandbox on the step's inputs,
 * its outputs are validated against the reference, and on failure the supervisor reads the run
 * (exit status, output, validation report) and tells the coder what to fix, for at most
 * `maxIterations` programs. Everything is kept under `runDir`:
 *   generated_code/step<k>_iter<i>.<ts|js>   the programs
 *   logs/step<k>_iter<i>.{stdout,stderr,validation}.txt, logs/step<k>.json (the result)
 *   arrays/step<k>_iter<i>/                  what each program wrote
 *   prompt_pairs/step<k>_iter<i>_<role>.json every request with its reply
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { OpenAIClient } from "../agents/openai/client";
import type { ChatMessage } from "../agents/openai/types";
import { writeFileAtomic } from "../util/atomic";
import { Categoriser, categoriseWithModel } from "./categoriser";
import { CategorisedError, categoriseByRules, IterationOutcome } from "./errors";
import { extractProgram } from "./program";
import type { ReferenceLayout } from "./reference";
import { runInSandbox, SandboxLimits, SandboxResult } from "./sandbox";
import { loadPrompt, STEPS, StepId, stepTask } from "./steps";
import { DEFAULT_TOLERANCE, formatReport, Tolerance, validateOutputs, ValidationReport } from "./validate";

export interface ModelRef {
  /** Model id sent in requests. */
  model: string;
  client: OpenAIClient;
}

export interface StepRunOptions {
  step: StepId;
  supervisor: ModelRef;
  coder: ModelRef;
  /** Where the step's inputs and reference outputs are (see buildReferences). */
  layout: ReferenceLayout;
  /** This trial's folder: results/<run>/<model>_<timestamp>. */
  runDir: string;
  /** Programs tried at most (the issue's default: 3). */
  maxIterations?: number;
  limits?: Partial<SandboxLimits>;
  tolerance?: Tolerance;
  /** Refines errors the rules call "other". */
  categoriser?: Categoriser;
  /** Sampling temperature for both models (0: reproducible where the server allows). */
  temperature?: number;
  log?: (line: string) => void;
}

export interface StepResult {
  supervisor: string;
  coder: string;
  step: StepId;
  success: boolean;
  /** Programs run (or attempted). */
  iterations: number;
  durationMs: number;
  apiCalls: number;
  tokens: number;
  /** One entry per failed iteration, in order. */
  errors: CategorisedError[];
  runDir: string;
}

const TAIL = 4000;

/** Runs one step to success or to `maxIterations`; never throws for model or program failures. */
export async function runStep(o: StepRunOptions): Promise<StepResult> {
  const maxIterations = o.maxIterations ?? 3;
  const tol = o.tolerance ?? DEFAULT_TOLERANCE;
  const spec = STEPS[o.step];
  const log = o.log ?? (() => {});
  const dirs = ["generated_code", "logs", "arrays", "prompt_pairs"].map((d) => path.join(o.runDir, d));
  dirs.forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const [codeDir, logDir, arraysDir, pairsDir] = dirs;
  const tag = `step${o.step}`;
  const start = Date.now();
  const result: StepResult = {
    supervisor: o.supervisor.model, coder: o.coder.model, step: o.step, success: false,
    iterations: 0, durationMs: 0, apiCalls: 0, tokens: 0, errors: [], runDir: o.runDir,
  };

  const chat = async (who: "supervisor" | "coder", ref: ModelRef, messages: ChatMessage[], iter: number): Promise<string> => {
    result.apiCalls++;
    const res = await ref.client.chat({ model: ref.model, messages, temperature: o.temperature ?? 0 });
    result.tokens += res.usage?.total_tokens ?? 0;
    const text = res.choices[0]?.message.content ?? "";
    writeFileAtomic(path.join(pairsDir, `${tag}_iter${iter}_${who}.json`), JSON.stringify({ model: ref.model, messages, reply: text, usage: res.usage }, null, 2));
    return text;
  };

  const task = stepTask(o.step);
  const sup: ChatMessage[] = [
    { role: "system", content: loadPrompt("supervisor.md") },
    { role: "user", content: `${task}\n\nWrite the instructions for the coder.` },
  ];
  const cod: ChatMessage[] = [{ role: "system", content: loadPrompt("coder.md") }];
  let feedback = "";

  for (let iter = 1; iter <= maxIterations; iter++) {
    result.iterations = iter;
    let outcome: IterationOutcome;
    try {
      const advice = await chat("supervisor", o.supervisor, sup, iter);
      sup.push({ role: "assistant", content: advice });
      cod.push({
        role: "user",
        content: iter === 1 ? `${task}\n\n## Instructions from the supervisor\n\n${advice}` : `${feedback}\n\n## The supervisor's advice\n\n${advice}\n\nAnswer with the whole corrected program.`,
      });
      const reply = await chat("coder", o.coder, cod, iter);
      cod.push({ role: "assistant", content: reply });
      const program = extractProgram(reply);
      if (!program) outcome = { noCode: true };
      else outcome = await execute(o, program.code, program.language, iter, { codeDir, logDir, arraysDir }, tol);
    } catch (err) {
      outcome = { apiError: `${(err as Error).name}: ${(err as Error).message}` };
    }
    let error = categoriseByRules(outcome);
    if (error && error.category === "other" && o.categoriser) {
      const refined = await categoriseWithModel(o.categoriser, describeRun(outcome, spec.columns), error);
      result.apiCalls++;
      result.tokens += refined.tokens;
      error = { category: refined.category, description: refined.description };
    }
    if (!error) {
      result.success = true;
      log(`${tag} ${o.coder.model}: success at iteration ${iter}`);
      break;
    }
    result.errors.push(error);
    log(`${tag} ${o.coder.model}: iteration ${iter}: ${error.category}: ${error.description}`);
    if (error.category === "api_error" || iter === maxIterations) break;
    feedback = `## Result of your program (iteration ${iter})\n\nError category: ${error.category}\n${describeRun(outcome, spec.columns)}`;
    sup.push({ role: "user", content: `The coder's program failed.\n\n${feedback}\n\nDiagnose the cause and tell the coder exactly what to change.` });
  }
  result.durationMs = Date.now() - start;
  writeFileAtomic(path.join(logDir, `${tag}.json`), JSON.stringify(result, null, 2) + "\n");
  return result;
}

async function execute(
  o: StepRunOptions, code: string, language: "typescript" | "javascript", iter: number,
  d: { codeDir: string; logDir: string; arraysDir: string }, tol: Tolerance,
): Promise<IterationOutcome> {
  const name = `step${o.step}_iter${iter}`;
  writeFileAtomic(path.join(d.codeDir, `${name}.${language === "typescript" ? "ts" : "js"}`), code);
  // Inside the trial folder: the same file system as the references, so inputs can be hard-linked.
  const box = fs.mkdtempSync(path.join(o.runDir, `.sandbox-${name}-`));
  try {
    const sandbox = await runInSandbox({ code, language, dir: box, inputDir: o.layout.inputDir(o.step), limits: o.limits });
    writeFileAtomic(path.join(d.logDir, `${name}.stdout.txt`), sandbox.stdout);
    writeFileAtomic(path.join(d.logDir, `${name}.stderr.txt`), sandbox.stderr);
    writeFileAtomic(path.join(d.logDir, `${name}.exit.json`), JSON.stringify({ exitCode: sandbox.exitCode, signal: sandbox.signal, timedOut: sandbox.timedOut, durationMs: sandbox.durationMs, isolation: sandbox.isolation }) + "\n");
    fs.cpSync(sandbox.outputDir, path.join(d.arraysDir, name), { recursive: true });
    let validation: ValidationReport | undefined;
    if (!sandbox.compileError && !sandbox.timedOut && sandbox.exitCode === 0) {
      validation = validateOutputs(o.layout.outputDir(o.step), sandbox.outputDir, STEPS[o.step].outputs, tol);
      writeFileAtomic(path.join(d.logDir, `${name}.validation.txt`), formatReport(validation, STEPS[o.step].columns) + "\n");
    }
    return { sandbox, validation };
  } finally {
    fs.rmSync(box, { recursive: true, force: true });
  }
}

/** What the supervisor (and the categoriser) read about a failed iteration. */
export function describeRun(o: IterationOutcome, columns: Record<string, string[]> = {}): string {
  if (o.apiError) return `The model API failed: ${o.apiError}`;
  if (o.noCode) return "The reply contained no fenced ```typescript or ```javascript code block.";
  const s = o.sandbox as SandboxResult;
  const parts = [
    s.compileError ? "The program did not compile." : `Exit status: ${s.exitCode ?? `killed by ${s.signal}`}${s.timedOut ? " (time limit exceeded)" : ""}, ${(s.durationMs / 1000).toFixed(1)} s.`,
    `stdout (tail):\n${tail(s.stdout) || "(empty)"}`,
    `stderr (tail):\n${tail(s.stderr) || "(empty)"}`,
  ];
  if (o.validation) parts.push(`Validation against the reference:\n${formatReport(o.validation, columns)}`);
  return parts.join("\n\n");
}

function tail(s: string): string {
  return s.length > TAIL ? `…${s.slice(-TAIL)}` : s.trimEnd();
}
