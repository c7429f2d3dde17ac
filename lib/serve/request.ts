/**
 * Checks a POST /v1/chat/completions body and turns it into messages, tools and generation
 * parameters; every mistake is a 400 naming the field (`param`) as OpenAI does.
 */
import type { ChatMessage, ToolCall, ToolSpec } from "../agents/openai/types";
import type { GenerationParams } from "./engine";
import { badRequest } from "./errors";
import { showJson } from "../util/show-json";

export interface ParsedChatRequest {
  model: string;
  messages: ChatMessage[];
  tools: ToolSpec[] | undefined;
  params: GenerationParams;
  stream: boolean;
  /** stream_options.include_usage: send a final usage chunk. */
  streamUsage: boolean;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const ROLES = new Set(["system", "user", "assistant", "tool", "developer"]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A message's content: a string, null, or OpenAI content parts of type "text" (joined). */
function content(v: unknown, param: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    return v
      .map((p, i) => {
        if (!isObj(p) || p.type !== "text" || typeof p.text !== "string") {
          throw badRequest(`${param}[${i}] must be a {"type": "text", "text": ...} part (other content types are not supported)`, `${param}[${i}]`);
        }
        return p.text;
      })
      .join("");
  }
  throw badRequest(`${param} must be a string, an array of text parts, or null`, param);
}

function toolCalls(v: unknown, param: string): ToolCall[] {
  if (!Array.isArray(v)) throw badRequest(`${param} must be an array`, param);
  return v.map((c, i) => {
    const p = `${param}[${i}]`;
    if (!isObj(c) || !isObj(c.function) || typeof c.function.name !== "string") throw badRequest(`${p} must have function.name`, p);
    const raw = c.function.arguments;
    if (raw !== undefined && typeof raw !== "string") throw badRequest(`${p}.function.arguments must be a JSON string`, `${p}.function.arguments`);
    const args: string = typeof raw === "string" ? raw : "{}";
    if (typeof c.id !== "string" || c.id === "") throw badRequest(`${p}.id must be a non-empty string`, `${p}.id`);
    return { id: c.id, type: "function" as const, function: { name: c.function.name as string, arguments: args } };
  });
}

function messages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw badRequest("messages must be a non-empty array", "messages");
  return v.map((m, i) => {
    const p = `messages[${i}]`;
    if (!isObj(m)) throw badRequest(`${p} must be an object`, p);
    if (typeof m.role !== "string" || !ROLES.has(m.role)) {
      throw badRequest(`${p}.role must be one of system, user, assistant, tool; got ${showJson(m.role)}`, `${p}.role`);
    }
    const role = (m.role === "developer" ? "system" : m.role) as ChatMessage["role"];
    const msg: ChatMessage = { role, content: content(m.content, `${p}.content`) };
    if (role === "assistant" && m.tool_calls !== undefined && m.tool_calls !== null) {
      const calls = toolCalls(m.tool_calls, `${p}.tool_calls`);
      if (calls.length > 0) msg.tool_calls = calls;
    }
    if (role === "tool") {
      if (typeof m.tool_call_id !== "string" || m.tool_call_id === "") throw badRequest(`${p}.tool_call_id is required on tool messages`, `${p}.tool_call_id`);
      msg.tool_call_id = m.tool_call_id;
    }
    if (role !== "assistant" && role !== "system" && msg.content === null) throw badRequest(`${p}.content is required`, `${p}.content`);
    if (role === "assistant" && msg.content === null && !msg.tool_calls) throw badRequest(`${p} needs content or tool_calls`, `${p}.content`);
    if (typeof m.name === "string") msg.name = m.name;
    return msg;
  });
}

function tools(v: unknown): ToolSpec[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badRequest("tools must be an array", "tools");
  return v.map((t, i) => {
    const p = `tools[${i}]`;
    if (!isObj(t) || t.type !== "function" || !isObj(t.function)) throw badRequest(`${p} must be {"type": "function", "function": {...}}`, p);
    const f = t.function;
    if (typeof f.name !== "string" || !TOOL_NAME.test(f.name)) throw badRequest(`${p}.function.name must match ${TOOL_NAME}`, `${p}.function.name`);
    if (f.description !== undefined && typeof f.description !== "string") throw badRequest(`${p}.function.description must be a string`, `${p}.function.description`);
    if (f.parameters !== undefined && !isObj(f.parameters)) throw badRequest(`${p}.function.parameters must be a JSON Schema object`, `${p}.function.parameters`);
    return { type: "function" as const, function: { name: f.name, ...(f.description !== undefined ? { description: f.description as string } : {}), parameters: (f.parameters as object) ?? { type: "object", properties: {} } } };
  });
}

function number(body: Json, key: string, lo: number, hi: number, fallback: number, openLo = false): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v > hi || (openLo ? v <= lo : v < lo)) {
    throw badRequest(`${key} must be a number in ${openLo ? "(" : "["}${lo}, ${hi}], got ${showJson(v)}`, key);
  }
  return v;
}

function integer(body: Json, key: string, lo: number): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo) throw badRequest(`${key} must be an integer >= ${lo}, got ${showJson(v)}`, key);
  return v;
}

export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (!isObj(body)) throw badRequest("the request body must be a JSON object");
  if (typeof body.model !== "string" || body.model === "") throw badRequest("model is required", "model");
  const msgs = messages(body.messages);
  let toolList = tools(body.tools);
  let toolChoice: GenerationParams["toolChoice"] = "auto";
  const tc = body.tool_choice;
  if (tc === "none" || tc === "auto" || tc === "required") toolChoice = tc;
  else if (isObj(tc) && tc.type === "function") toolChoice = "required"; // a named tool: forced call (the name is not enforced)
  else if (tc !== undefined && tc !== null) throw badRequest(`tool_choice must be "none", "auto", "required" or a function, got ${showJson(tc)}`, "tool_choice");
  if (toolChoice === "required" && !toolList?.length) throw badRequest("tool_choice requires tools", "tool_choice");
  if (toolChoice === "none") toolList = undefined;
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw badRequest("only n = 1 is supported", "n");
  let stop: string[] = [];
  if (typeof body.stop === "string") stop = [body.stop];
  else if (Array.isArray(body.stop)) {
    if (body.stop.length > 4 || body.stop.some((s) => typeof s !== "string" || s === "")) throw badRequest("stop must be up to 4 non-empty strings", "stop");
    stop = body.stop as string[];
  } else if (body.stop !== undefined && body.stop !== null) throw badRequest("stop must be a string or an array of strings", "stop");
  if (body.stream !== undefined && typeof body.stream !== "boolean") throw badRequest("stream must be true or false", "stream");
  const so = body.stream_options;
  return {
    model: body.model,
    messages: msgs,
    tools: toolList,
    params: {
      maxTokens: integer(body, "max_completion_tokens", 1) ?? integer(body, "max_tokens", 1),
      temperature: number(body, "temperature", 0, 2, 1),
      topP: number(body, "top_p", 0, 1, 1, true),
      seed: integer(body, "seed", Number.MIN_SAFE_INTEGER),
      stop,
      toolChoice,
    },
    stream: body.stream === true,
    streamUsage: isObj(so) && so.include_usage === true,
  };
}
