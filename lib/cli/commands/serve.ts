/**
 * `hepllm serve --model <dir> [--adapter <dir>] [--port 8000] [--host 127.0.0.1] [--api-key-env VAR]`:
 * an OpenAI-compatible HTTP server over a local model (see lib/serve/server.ts).
 */
import { parseArgs } from "node:util";
import { Command, UsageError } from "../command";
import { int, required } from "../args";
import { LocalEngine } from "../../serve/local-engine";
import { startServer } from "../../serve/server";

const usage = `usage: hepllm serve --model <dir> [--adapter <dir>] [--port 8000] [--host 127.0.0.1]
                    [--api-key-env VAR] [--model-id NAME] [--context N] [--quiet]

  --model <dir>        model folder (config.json, model.safetensors, tokenizer.json)
  --adapter <dir>      PEFT LoRA adapter folder, merged into the weights
  --port <n>           TCP port (default 8000; 0 picks a free one)
  --host <addr>        interface (default 127.0.0.1, loopback only; 0.0.0.0 exposes it)
  --api-key-env VAR    require 'Authorization: Bearer <$VAR>' on /v1 routes
  --model-id NAME      the id clients send as "model" (default: the folder name[+adapter])
  --context N          context length in tokens (default: the config's max_position_embeddings)
  --quiet              no per-request log lines

Endpoints: GET /v1/models, POST /v1/chat/completions (tools, stream), GET /health.
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
      },
      strict: true,
    });
    const modelDir = required(values, "model");
    const port = int(values, "port", 8000)!;
    if (port < 0 || port > 65535) throw new UsageError(`--port must be in 0..65535, got ${port}`);
    const context = int(values, "context");
    if (context !== undefined && context < 1) throw new UsageError("--context must be positive");
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
    const engine = await LocalEngine.load(modelDir, values.adapter as string | undefined, {
      ...(values["model-id"] ? { modelId: values["model-id"] as string } : {}),
      ...(context !== undefined ? { contextLength: context } : {}),
    });
    const server = await startServer({
      engine,
      host,
      port,
      apiKey,
      log: values.quiet ? undefined : (line) => console.error(`hepllm serve: ${line}`),
    });
    console.error(`hepllm serve: model ${engine.modelId} loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s; context ${engine.contextLength} tokens${apiKey ? "; API key required" : ""}`);
    console.log(`listening ${server.url}`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    console.error("hepllm serve: stopped");
    return 0;
  },
};
