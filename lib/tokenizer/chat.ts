/**
 * Mistral's v3 instruct format (mistral-common InstructTokenizerV3), control tokens spliced as ids
 * and message text encoded on its own (never control tokens spelled in text):
 *   <s>[INST] user[/INST] answer</s>[INST] ...  with, before the last user message,
 *   [AVAILABLE_TOOLS] tools-json[/AVAILABLE_TOOLS]; assistant tool calls as [TOOL_CALLS] json</s>;
 *   tool results as [TOOL_RESULTS] {"content": ..., "call_id": ...}[/TOOL_RESULTS].
 * System messages are joined and prepended to the last user message ("system\n\nuser"), as v3 does.
 * JSON is written as Python's json.dumps (see py-json.ts). A tokenizer without a control token
 * gets that token's text instead (so small models without [TOOL_CALLS] still see the structure).
 */
import { pyJsonDumps } from "./py-json";
import { ToolCall, ToolSpec } from "./tool-calls";
import { Tokenizer } from "./types";

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content?: string | null;
  /** Assistant messages: the calls it made (then content must be empty). */
  tool_calls?: ToolCall[] | null;
  /** Tool messages: the id of the call this result answers. */
  tool_call_id?: string;
  name?: string;
}

export interface ChatOptions {
  tools?: ToolSpec[];
}

/** Token ids of a conversation (starting with BOS), ready for the model to generate the next answer. */
export function encodeChat(tok: Tokenizer, messages: ChatMessage[], opts: ChatOptions = {}): number[] {
  const ctl = (name: string): number[] => {
    const id = tok.tokenToId(name);
    return id !== undefined && tok.isSpecial(id) ? [id] : tok.encode(name, { prefix: false, addedTokens: false });
  };
  const text = (s: string): number[] => tok.encode(s, { addedTokens: false });
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content ?? "")
    .join("\n\n");
  const convo = mergeConsecutiveUsers(messages.filter((m) => m.role !== "system"));
  let lastUser = -1;
  convo.forEach((m, i) => {
    if (m.role === "user") lastUser = i;
  });
  const ids = [tok.bosId];
  convo.forEach((m, i) => {
    const where = `message ${i} (${m.role})`;
    if (m.role === "user") {
      if (i === lastUser && opts.tools && opts.tools.length > 0) {
        ids.push(...ctl("[AVAILABLE_TOOLS]"), ...text(pyJsonDumps(opts.tools.map(toolDump))), ...ctl("[/AVAILABLE_TOOLS]"));
      }
      const content = i === lastUser && system ? `${system}\n\n${m.content ?? ""}` : m.content ?? "";
      ids.push(...ctl("[INST]"), ...text(content), ...ctl("[/INST]"));
    } else if (m.role === "assistant") {
      if (m.tool_calls && m.tool_calls.length > 0) {
        if (m.content) throw new Error(`encodeChat: ${where} has both content and tool_calls`);
        const calls = m.tool_calls.map((c) => ({ name: c.function.name, arguments: parseJsonContent(c.function.arguments), id: c.id }));
        ids.push(...ctl("[TOOL_CALLS]"), ...text(pyJsonDumps(calls)));
      } else if (m.content) {
        ids.push(...text(m.content.replace(/ +$/u, "")));
      } else {
        throw new Error(`encodeChat: ${where} has neither content nor tool_calls`);
      }
      ids.push(tok.eosId);
    } else if (m.role === "tool") {
      if (!m.tool_call_id) throw new Error(`encodeChat: ${where} needs tool_call_id in the v3 format`);
      const result = { content: parseJsonContent(m.content ?? ""), call_id: m.tool_call_id };
      ids.push(...ctl("[TOOL_RESULTS]"), ...text(pyJsonDumps(result)), ...ctl("[/TOOL_RESULTS]"));
    } else {
      throw new Error(`encodeChat: ${where} has unknown role ${JSON.stringify((m as ChatMessage).role)}`);
    }
  });
  return ids;
}

/** mistral-common's Tool.model_dump(): {"type", "function": {"name", "description", "parameters"}}. */
function toolDump(t: ToolSpec): unknown {
  return { type: "function", function: { name: t.function.name, description: t.function.description ?? "", parameters: t.function.parameters ?? {} } };
}

/** JSON text becomes its value; anything else stays a string (mistral-common _parse_json_content). */
function parseJsonContent(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** Consecutive user messages are one turn, joined by a blank line (mistral-common's normalizer). */
function mergeConsecutiveUsers(ms: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of ms) {
    const prev = out[out.length - 1];
    if (m.role === "user" && prev?.role === "user") out[out.length - 1] = { ...prev, content: `${prev.content ?? ""}\n\n${m.content ?? ""}` };
    else out.push(m);
  }
  return out;
}
