/**
 * Runs the study's trainings `jobs` at a time, each in its own child process (the wasm backend
 * uses one core, so parallel children are how the study fills the machine). A child's stderr
 * (progress bars, backend line) goes to `<runsDir>/<run>.log`; its notes become the study's
 * progress lines. `jobs: 0` runs them one by one in this process (tests, debugging).
 */
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ArmJob, ArmJobResult, runArmJob } from "./arm-job";
import type { WorkerMessage } from "./arm-worker";
import { requestedThreads } from "../llm/kernels/native";

const WORKER_SCRIPT = path.join(__dirname, "arm-worker.js");

function runInChild(job: ArmJob, logFile: string, note: (msg: string) => void, threads: number): Promise<ArmJobResult> {
  return new Promise((resolve, reject) => {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const fd = fs.openSync(logFile, "w");
    // Each child gets its share of the native BLAS threads: `jobs` full pools would oversubscribe the cores.
    const env = { ...process.env, HEPLLM_THREADS: String(threads) };
    const child = fork(WORKER_SCRIPT, [], { stdio: ["ignore", fd, fd, "ipc"], serialization: "advanced", execArgv: [], env });
    fs.closeSync(fd);
    let result: ArmJobResult | undefined;
    let error: string | undefined;
    child.on("message", (m: WorkerMessage) => {
      if (m.kind === "note") note(m.text);
      else if (m.kind === "done") result = m.result;
      else error = m.message;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`${job.config.run}: ${error ?? `the training process ended (${signal ?? `exit code ${code}`}) without a result`}; see ${logFile}`));
    });
    child.send(job);
  });
}

/**
 * Runs every job, at most `jobs` at once; results in job order. `note(job, msg)` receives each
 * job's progress. The first failure stops new jobs from starting and is thrown once the running
 * ones end.
 */
export async function runJobs(
  jobs: ArmJob[],
  opts: { jobs: number; logDir: string; note: (job: ArmJob, msg: string) => void },
): Promise<ArmJobResult[]> {
  const results: ArmJobResult[] = new Array(jobs.length);
  if (opts.jobs <= 0) {
    for (const [i, job] of jobs.entries()) results[i] = await runArmJob(job, (m) => opts.note(job, m));
    return results;
  }
  const threads = Math.max(1, Math.floor(requestedThreads() / Math.min(opts.jobs, jobs.length)));
  let next = 0;
  let failure: Error | undefined;
  const lane = async (): Promise<void> => {
    while (next < jobs.length && !failure) {
      const i = next++;
      const job = jobs[i];
      try {
        results[i] = await runInChild(job, path.join(opts.logDir, `${job.config.run}.log`), (m) => opts.note(job, m), threads);
      } catch (err) {
        failure = failure ?? (err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, jobs.length) }, lane));
  if (failure) throw failure;
  return results;
}
