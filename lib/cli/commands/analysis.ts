/** `hepllm analysis`: the supervisor–coder analysis framework (run, reference, validate, sandbox, stats). */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../analysis/config";
import { buildReferences } from "../../analysis/reference";
import { cutEvents, prepareCampaign, runCampaign } from "../../analysis/runner";
import { IsolationChoice, UNSAFE_NO_SANDBOX } from "../../analysis/isolation/backend";
import { runInSandbox } from "../../analysis/sandbox";
import { parseStep, STEPS, StepId } from "../../analysis/steps";
import { aggregate, formatStats, readSummary } from "../../analysis/summary";
import { DEFAULT_TOLERANCE, formatReport, validateOutputs } from "../../analysis/validate";
import { writeFileAtomic } from "../../util/atomic";
import { int, required } from "../args";
import { Command, UsageError } from "../command";

const usage = `usage: hepllm analysis <subcommand> [options]

A supervisor model instructs, a coder model writes a program for one of five analysis steps
(1 summary, 2 arrays, 3 features, 4 scores, 5 categories), the program runs in a sandbox and its
outputs are checked against hepllm's reference solution, for up to max_iterations tries.

subcommands:
  run --config <file.json> [--steps LIST] [--run NAME] [--marker <file>] [--unsafe-no-sandbox]
      run the campaign in the config (models x steps x repeats); appends to
      <results>/results_summary.csv; --marker writes the step results as JSON when done
  prepare --config <file.json> [--steps LIST]
      only cut the data and build the reference outputs of a campaign
  reference --data <events.h5> --out <dir> [--steps LIST] [--events N]
      reference outputs of the steps (and their inputs) under <dir>/step<k>, <dir>/inputs/step<k>
  validate --step K --ref <dir> --out <dir> [--digits D]
      compare a folder of outputs with a step's reference outputs (exit 1 when they differ)
  sandbox --program <file.ts|js> --input <dir> --dir <sandbox dir> [--timeout S] [--memory MB]
          [--isolation auto|bwrap|unshare] [--unsafe-no-sandbox]
      run a program as the framework does; its outputs land in <sandbox dir>/work/out

Generated programs run with no network by construction (bubblewrap, else a user + network
namespace via unshare). Where neither works, hepllm refuses to run them and says how to enable
one; --unsafe-no-sandbox (config "sandbox": {"isolation": "${UNSAFE_NO_SANDBOX}"}) runs them
anyway, with a warning on every run.
  stats [--csv <results/results_summary.csv>]
      success rates (Wilson 95% interval), iterations, time and errors per model pair and step`;

function steps(v: unknown): StepId[] | undefined {
  if (v === undefined) return undefined;
  try {
    return String(v).split(",").map((s) => parseStep(s.trim()));
  } catch (err) {
    throw new UsageError(`--steps: ${(err as Error).message}`);
  }
}

export const command: Command = {
  name: "analysis",
  summary: "supervisor–coder analysis runs: LLM-written programs checked against reference solutions",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const { values } = parseArgs({
      args: rest,
      options: {
        config: { type: "string" }, steps: { type: "string" }, run: { type: "string" }, marker: { type: "string" },
        data: { type: "string" }, out: { type: "string" }, events: { type: "string" }, step: { type: "string" },
        ref: { type: "string" }, digits: { type: "string" }, program: { type: "string" }, input: { type: "string" },
        dir: { type: "string" }, timeout: { type: "string" }, memory: { type: "string" }, csv: { type: "string" },
        isolation: { type: "string" }, "unsafe-no-sandbox": { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
    const log = (s: string) => process.stderr.write(s + "\n");
    switch (sub) {
      case "run":
      case "prepare": {
        const cfg = loadConfig(required(values, "config"));
        cfg.steps = steps(values.steps) ?? cfg.steps;
        if (values.run) cfg.run = values.run;
        if (values["unsafe-no-sandbox"]) cfg.sandbox.isolation = UNSAFE_NO_SANDBOX;
        if (sub === "prepare") {
          await prepareCampaign(cfg, log);
          if (values.marker) writeFileAtomic(values.marker, JSON.stringify({ run: cfg.run, steps: cfg.steps }) + "\n");
          return 0;
        }
        const results = await runCampaign(cfg, { log });
        if (values.marker) writeFileAtomic(values.marker, JSON.stringify(results, null, 2) + "\n");
        const ok = results.filter((r) => r.success).length;
        console.log(`${ok}/${results.length} step runs succeeded; summary in ${path.join(cfg.resultsDir, "results_summary.csv")}`);
        return 0;
      }
      case "reference": {
        let data = required(values, "data");
        const out = required(values, "out");
        const n = int(values, "events");
        if (n !== undefined) {
          if (n < 1) throw new UsageError("--events must be >= 1");
          data = await cutEvents(data, n, path.join(out, "data", `events_first${n}.h5`));
        }
        await buildReferences(data, out, steps(values.steps) ?? [1, 2, 3, 4, 5], log);
        return 0;
      }
      case "validate": {
        const step = steps(required(values, "step"))![0];
        const digits = int(values, "digits", DEFAULT_TOLERANCE.significantDigits)!;
        const report = validateOutputs(required(values, "ref"), required(values, "out"), STEPS[step].outputs, { ...DEFAULT_TOLERANCE, significantDigits: digits });
        console.log(formatReport(report, STEPS[step].columns));
        return report.ok ? 0 : 1;
      }
      case "sandbox": {
        const program = required(values, "program");
        if (!fs.existsSync(program)) throw new UsageError(`--program: ${program} not found`);
        const isolation = values["unsafe-no-sandbox"] ? UNSAFE_NO_SANDBOX : values.isolation ?? "auto";
        if (!["auto", "bwrap", "unshare", UNSAFE_NO_SANDBOX].includes(isolation)) throw new UsageError(`--isolation must be auto, bwrap or unshare (the opt-out is --unsafe-no-sandbox)`);
        const r = await runInSandbox({
          code: fs.readFileSync(program, "utf8"),
          language: program.endsWith(".ts") ? "typescript" : "javascript",
          dir: required(values, "dir"),
          inputDir: required(values, "input"),
          limits: { timeoutMs: (int(values, "timeout", 120) ?? 120) * 1000, memoryMb: int(values, "memory", 4096), isolation: isolation as IsolationChoice },
        });
        process.stdout.write(r.stdout);
        process.stderr.write(r.stderr);
        log(`exit ${r.exitCode ?? r.signal}${r.timedOut ? " (time limit)" : ""} (isolation ${r.isolation}) after ${(r.durationMs / 1000).toFixed(1)} s; outputs in ${r.outputDir}`);
        return r.exitCode ?? 1;
      }
      case "stats": {
        const csv = values.csv ?? path.join("results", "results_summary.csv");
        const rows = readSummary(csv);
        if (rows.length === 0) throw new UsageError(`${csv}: no results yet`);
        console.log(formatStats(aggregate(rows)));
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand ${JSON.stringify(sub)}` : "a subcommand is required");
    }
  },
};
