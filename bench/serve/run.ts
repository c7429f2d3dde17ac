/**
 * `npm run bench:serve`: starts `hepllm serve` on loopback (a child process, niced) with a small
 * model — ../shared's stories260K when present, else the tiny random Mistral of the serve tests —
 * and drives it with N concurrent streaming clients (the `openai` npm client), N = 1, 4, 16, 64.
 * Each phase is bounded in time (--seconds, default 20) and count (--max-requests per client,
 * default 8); clients refused with 429 wait Retry-After (at most 1 s) and try again. Prints per N:
 * requests/s, tokens/s, p50/p99 latency of completed requests, errors (anything but 429), 429s
 * (counted apart) and the server's peak RSS in the phase (sampled from /proc every 100 ms).
 *
 *   npm run bench:serve -- [--workers 1] [--max-queue 8] [--seconds 20] [--clients 1,4,16,64] [--max-tokens 32]
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { makeTinyModelDir } from "../../test/serve/tiny-model";

const REPO = path.resolve(__dirname, "..", "..");
const SHARED_MODEL = path.resolve(process.env.HEPLLM_SHARED ?? path.join(REPO, "..", "shared"), "fixtures", "stories260K");

const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "1" },
    "max-queue": { type: "string", default: "8" },
    seconds: { type: "string", default: "20" },
    clients: { type: "string", default: "1,4,16,64" },
    "max-tokens": { type: "string", default: "32" },
    "max-requests": { type: "string", default: "8" },
  },
});
const seconds = Number(values.seconds);
const maxTokens = Number(values["max-tokens"]);
const perClient = Number(values["max-requests"]);

/** Resident set size of a process now [bytes] (0 when unreadable). */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

async function main(): Promise<void> {
  const shared = fs.existsSync(path.join(SHARED_MODEL, "model.safetensors"));
  const tiny = shared ? undefined : makeTinyModelDir(512);
  const modelDir = shared ? SHARED_MODEL : tiny!.modelDir;
  console.log(`model: ${shared ? "stories260K (../shared)" : "tiny random Mistral (../shared missing)"}; workers ${values.workers}, queue ${values["max-queue"]}, max_tokens ${maxTokens}, ${seconds} s or ${perClient} requests per client per phase`);
  const args = [path.join(REPO, "bin/hepllm.js"), "serve", "--model", modelDir, "--port", "0", "--model-id", "bench", "--quiet", "--workers", values.workers!, "--max-queue", values["max-queue"]!];
  const child = spawn("nice", ["-n", "10", process.execPath, ...args], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, HEPLLM_QUIET_BACKEND: "1" } });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`hepllm serve exited with ${code}`)));
    });
    const client = new OpenAI({ baseURL: base, apiKey: "none", maxRetries: 0, timeout: 120_000 });
    const rows: string[] = ["| N | requests | req/s | tokens/s | p50 latency [s] | p99 latency [s] | errors | 429s | server peak RSS [MB] |", "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"];
    console.log(rows.join("\n"));
    for (const n of values.clients!.split(",").map(Number)) {
      const latencies: number[] = [];
      let tokens = 0;
      let errors = 0;
      let refused = 0;
      let peak = rssOf(child.pid!);
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 100);
      const t0 = Date.now();
      const deadline = t0 + seconds * 1000;
      const firstError: string[] = [];
      await Promise.all(
        Array.from({ length: n }, async (_, k) => {
          for (let i = 0; i < perClient && Date.now() < deadline; ) {
            const r0 = Date.now();
            try {
              const stream = await client.chat.completions.create({
                model: "bench", messages: [{ role: "user", content: `Once upon a time, story ${k}.${i}` }],
                max_tokens: maxTokens, temperature: 0.8, seed: k * 1000 + i, stream: true, stream_options: { include_usage: true },
              });
              let used = 0;
              for await (const c of stream) used = c.usage?.completion_tokens ?? used;
              tokens += used;
              latencies.push((Date.now() - r0) / 1000);
              i++;
            } catch (err) {
              if (err instanceof OpenAI.APIError && err.status === 429) {
                refused++;
                const after = Number(err.headers?.get("retry-after") ?? 1);
                await new Promise((r) => setTimeout(r, Math.min(1, after) * 1000));
              } else {
                errors++;
                i++;
                if (firstError.length === 0) firstError.push((err as Error).message);
              }
            }
          }
        }),
      );
      clearInterval(sampler);
      const wall = (Date.now() - t0) / 1000;
      const row = `| ${n} | ${latencies.length} | ${(latencies.length / wall).toFixed(2)} | ${(tokens / wall).toFixed(1)} | ${quantile(latencies, 0.5).toFixed(2)} | ${quantile(latencies, 0.99).toFixed(2)} | ${errors} | ${refused} | ${(peak / 2 ** 20).toFixed(0)} |`;
      rows.push(row);
      console.log(row + (firstError.length ? `  (first error: ${firstError[0]})` : ""));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    tiny?.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
