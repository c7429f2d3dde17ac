/**
 * `hepllm serve --model <dir> [--adapter <dir>] [--port 8000] [--host 127.0.0.1] [--api-key-env VAR]`:
 * an OpenAI-compatible HTTP server over a local model (see lib/serve/server.ts).
 */
import { parseArgs } from "node:util";
import { Command, UsageError } from "../command";
import { int, num, required } from "../args";
import { startServer } from "../../serve/server";
import { WorkerEngine } from "../../serve/worker-engine";

const usage = `usage: hepllm serve --model <dir> [--adapter <dir>] [--port 8000] [--host 127.0.0.1]
                    [--api-key-env VAR] [--model-id NAME] [--context N] [--quiet]
                    [--workers 1] [--max-queue 8] [--max-tokens 1024] [--max-prompt-tokens N] [--timeout 300]

  --model <dir>        model folder (config.json, model.safetensors, tokenizer.json)
  --adapter <dir>      PEFT LoRA adapter folder, merged into the weights
  --port <n>           TCP port (default 8000; 0 picks a free one)
  --host <addr>        interface (default 127.0.0.1, loopback only; 0.0.0.0 exposes it)
  --api-key-env VAR    require 'Authorization: Bearer <$VAR>' on /v1 routes
  --model-id NAME      the id clients send as "model" (default: the folder name[+adapter])
  --context N          context length in tokens (default: the config's max_position_embeddings)
  --quiet              no per-request log lines
  --workers N          generation worker threads, each with its own copy of the model (default 1)
  --max-queue N        requests that may wait for a worker; more get 429 + Retry-After (default 8)
  --max-tokens N       largest max_tokens accepted and the default (default 1024); more is a 400
  --max-prompt-tokens N  longest prompt in tokens (default: the context less one); more is a 400
  --timeout S          per-request time limit in seconds, queue wait included (default 300; 0 = none);
                       past it the request gets 504 (code "timeout"), or an error event mid-stream

Endpoints: GET /v1/models, POST /v1/chat/completions (tools, stream), GET /health (never blocked by
generation: it runs in the worker threads). A client that disconnects cancels its generation.
Prints "listening <base URL>" on stdout when ready; stops on SIGINT/SIGTERM.`;

export const command: Command = {
  name: "serve",
  summary: "serve a model over an OpenAI-compatible HTTP API",
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        model: { type: "string" },
        adapter: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        "api-key-env": { type: "string" },
        "model-id": { type: "string" },
        context: { type: "string" },
        quiet: { type: "boolean", default: false },
        workers: { type: "string" },
        "max-queue": { type: "string" },
        "max-tokens": { type: "string" },
        "max-prompt-tokens": { type: "string" },
        timeout: { type: "string" },
      },
      strict: true,
    });
    const modelDir = required(values, "model");
    const port = int(values, "port", 8000)!;
    if (port < 0 || port > 65535) throw new UsageError(`--port must be in 0..65535, got ${port}`);
    const context = int(values, "context");
    if (context !== undefined && context < 1) throw new UsageError("--context must be positive");
    const workers = int(values, "workers", 1)!;
    if (workers < 1) throw new UsageError("--workers must be at least 1");
    const maxQueue = int(values, "max-queue", 8)!;
    if (maxQueue < 0) throw new UsageError("--max-queue must be >= 0");
    const maxTokens = int(values, "max-tokens", 1024)!;
    if (maxTokens < 1) throw new UsageError("--max-tokens must be at least 1");
    const maxPromptTokens = int(values, "max-prompt-tokens");
    if (maxPromptTokens !== undefined && maxPromptTokens < 1) throw new UsageError("--max-prompt-tokens must be at least 1");
    const timeoutS = num(values, "timeout", 300)!;
    if (timeoutS < 0) throw new UsageError("--timeout must be >= 0 seconds");
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    let apiKey: string | undefined;
    const keyVar = values["api-key-env"] as string | undefined;
    if (keyVar !== undefined) {
      apiKey = process.env[keyVar];
      if (!apiKey) throw new UsageError(`--api-key-env ${keyVar}: $${keyVar} is not set or empty`);
    }
    const loopback = host === "127.0.0.1" || host === "localhost" || host === "::1";
    if (!loopback && !apiKey) console.error(`hepllm serve: warning: listening on ${host} without an API key (use --api-key-env)`);

    const t0 = Date.now();
    const engine = await WorkerEngine.start(
      modelDir,
      values.adapter as string | undefined,
      {
        ...(values["model-id"] ? { modelId: values["model-id"] as string } : {}),
        ...(context !== undefined ? { contextLength: context } : {}),
        ...(maxPromptTokens !== undefined ? { maxPromptTokens } : {}),
      },
      workers,
    );
    const server = await startServer({
      engine,
      host,
      port,
      apiKey,
      maxQueue,
      maxTokens,
      ...(timeoutS > 0 ? { timeoutMs: timeoutS * 1000 } : {}),
      log: values.quiet ? undefined : (line) => console.error(`hepllm serve: ${line}`),
    });
    console.error(`hepllm serve: model ${engine.modelId} loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s; context ${engine.contextLength} tokens; ${workers} worker${workers > 1 ? "s" : ""}, queue ${maxQueue}${apiKey ? "; API key required" : ""}`);
    console.log(`listening ${server.url}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    await engine.close();
    console.error("hepllm serve: stopped");
    return 0;
  },
};
