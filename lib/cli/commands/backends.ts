/**
 * `hepllm backends`: which tfjs backends this machine offers, and why not where one is missing;
 * with `--check`, initialises the one `--backend` (or auto) would choose and runs a small product
 * on it, so "is my GPU used?" has a one-line answer.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { Command } from "../command";
import { backendInfo, describeBackends, initBackend } from "../../llm/kernels/backend";

const usage = `usage: hepllm backends [--check] [--json] [--backend auto|webgpu|tensorflow|wasm|cpu]

  --check   also initialise the backend that would be chosen (auto, or --backend) and run a
            256×256 matrix product on it, timed
  --json    print the table (and the check) as JSON`;

export const command: Command = {
  name: "backends",
  summary: "list the tfjs backends available here (WebGPU adapter, native, wasm) and why not",
  usage,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { check: { type: "boolean", default: false }, json: { type: "boolean", default: false } }, strict: true });
    const rows = await describeBackends();
    let check: { backend: string; reason: string; adapter?: unknown; matmulMs: number; maxError: number } | undefined;
    if (values.check) {
      const name = await initBackend();
      const n = 256;
      const a = tf.randomUniform([n, n], -1, 1, "float32", 1);
      const b = tf.randomUniform([n, n], -1, 1, "float32", 2);
      const host = [await a.data(), await b.data()];
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      const got = await c.data();
      const ms = performance.now() - t0;
      // Spot-check 16 entries against a float64 product on the host.
      let maxError = 0;
      for (let s = 0; s < 16; s++) {
        const i = (s * 37) % n;
        const j = (s * 91) % n;
        let ref = 0;
        for (let k = 0; k < n; k++) ref += host[0][i * n + k] * host[1][k * n + j];
        maxError = Math.max(maxError, Math.abs(ref - got[i * n + j]));
      }
      tf.dispose([a, b, c]);
      const info = backendInfo()!;
      check = { backend: name, reason: info.reason, adapter: info.adapter, matmulMs: ms, maxError };
    }
    if (values.json) {
      console.log(JSON.stringify({ backends: rows, check }, null, 2));
      return 0;
    }
    for (const r of rows) console.log(`${r.available ? "yes" : "no "}  ${r.name.padEnd(10)} ${r.detail}`);
    if (check) {
      console.log(`\nchosen: ${check.backend} [${check.reason}]`);
      console.log(`check: 256×256 matMul in ${check.matmulMs.toFixed(1)} ms (first call: kernel set-up included), max |error| ${check.maxError.toExponential(1)}`);
    }
    return 0;
  },
};
