/**
 * A tool the model may call: a name, a JSON Schema for its arguments (validated with ajv before
 * `run`), and `run`. A `ToolRegistry` turns a model's ToolCall into a tool message, never throwing:
 * bad JSON, schema violations, unknown tools and exceptions come back as `{"error": ...}` text for
 * the model to read and correct.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import type { ToolCall, ToolSpec } from "../openai/types";

export interface Tool<A = any> {
  name: string;
  /** What the model reads to decide when to call it. */
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: object;
  /** Returns a JSON-serialisable result (or text); may throw to report a failure. */
  run(args: A): unknown | Promise<unknown>;
}

/** The outcome of one call, as sent back to the model. */
export interface ToolOutcome {
  ok: boolean;
  /** Text of the tool message (JSON of the result, or `{"error": "..."}`). */
  content: string;
  /** The parsed result when ok. */
  result?: unknown;
  /** Why it failed: "bad_json", "invalid_arguments", "unknown_tool" or "exception". */
  error?: "bad_json" | "invalid_arguments" | "unknown_tool" | "exception";
}

export function toolSpec(t: Tool): ToolSpec {
  return { type: "function", function: { name: t.name, description: t.description, parameters: t.parameters } };
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath || "(arguments)";
      const extra = e.keyword === "additionalProperties" ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : "";
      return `${where} ${e.message}${extra}`;
    })
    .join("; ");
}

/** Results are capped so one tool cannot flood the model's context [characters]. */
export const MAX_TOOL_RESULT_CHARS = 20_000;

export class ToolRegistry {
  private readonly tools = new Map<string, { tool: Tool; validate: ValidateFunction }>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });

  constructor(tools: Tool[] = []) {
    for (const t of tools) this.add(t);
  }

  add(t: Tool): this {
    if (this.tools.has(t.name)) throw new Error(`tool ${t.name} registered twice`);
    this.tools.set(t.name, { tool: t, validate: this.ajv.compile(t.parameters) });
    return this;
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  specs(): ToolSpec[] {
    return [...this.tools.values()].map((e) => toolSpec(e.tool));
  }

  /** Runs one call; every failure becomes an error outcome the model can read. */
  async execute(call: ToolCall): Promise<ToolOutcome> {
    const name = call.function?.name;
    const entry = this.tools.get(name);
    const fail = (error: NonNullable<ToolOutcome["error"]>, message: string): ToolOutcome => ({
      ok: false,
      error,
      content: JSON.stringify({ error: message }),
    });
    if (!entry) return fail("unknown_tool", `unknown tool ${JSON.stringify(name)}; available: ${this.names().join(", ")}`);
    let args: unknown;
    const text = call.function.arguments;
    try {
      args = text === undefined || text.trim() === "" ? {} : JSON.parse(text);
    } catch (err) {
      return fail("bad_json", `arguments of ${name} are not valid JSON (${(err as Error).message}); send a JSON object`);
    }
    if (!entry.validate(args)) {
      return fail("invalid_arguments", `arguments of ${name} do not match its schema: ${describeErrors(entry.validate.errors)}`);
    }
    try {
      const result = await entry.tool.run(args);
      let content = typeof result === "string" ? result : JSON.stringify(result);
      if (content === undefined) content = "null";
      if (content.length > MAX_TOOL_RESULT_CHARS) content = content.slice(0, MAX_TOOL_RESULT_CHARS) + "…[truncated]";
      return { ok: true, content, result };
    } catch (err) {
      return fail("exception", `${name} failed: ${(err as Error).message}`);
    }
  }
}
