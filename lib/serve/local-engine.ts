/**
 * A ChatEngine over a local hepllm model folder (config.json + safetensors + tokenizer.json),
 * optionally with a PEFT LoRA adapter merged in. Prompts use Mistral's v3 format through
 * lib/tokenizer's encodeChat ([AVAILABLE_TOOLS] before the last user turn, [TOOL_CALLS] answers,
 * [TOOL_RESULTS]), and an answer that starts with [TOOL_CALLS] is returned as OpenAI tool_calls.
 *
 * Generation (lib/llm generate) is synchronous per request; stop strings and the cancel signal end
 * it early by throwing out of its per-token callback. On the event loop a disconnect is only noticed
 * before generation starts (the socket's "close" cannot run until generate returns); `hepllm serve`
 * therefore runs this engine in worker threads (worker-engine.ts), where the signal is a shared
 * flag the main thread sets at once.
 */
import * as path from "node:path";
import type { ChatMessage, ToolSpec } from "../agents/openai/types";
import { generateAsync, initBackend, loadAdapter, loadModel } from "../llm";
import type { LM } from "../llm";
import { encodeChat, loadTokenizer, parseToolCallIds, TOOL_CALLS_TOKEN } from "../tokenizer";
import type { Tokenizer, ToolSpec as TokenizerToolSpec } from "../tokenizer";
import { Rng } from "../util/rng";
import type { CancelSignal, ChatEngine, EngineResult, GenerationParams } from "./engine";
import { badRequest } from "./errors";
import { StopFilter } from "./stop";

export interface LocalEngineOptions {
  /** The id served on /v1/models (default: the model folder's name, plus "+<adapter folder>"). */
  modelId?: string;
  /** Context length in tokens (default: the config's max_position_embeddings). */
  contextLength?: number;
  /** Longest prompt accepted, in tokens (default: the context length less one); longer is a 400. */
  maxPromptTokens?: number;
}

/** A byte-fallback token's name, e.g. "<0xE8>". */
const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;

/** Thrown from the token callback to end generation early (not an error). */
class EndGeneration {
  constructor(readonly why: "stop" | "abort") {}
}

export class LocalEngine implements ChatEngine {
  readonly modelId: string;
  readonly created = Math.floor(Date.now() / 1000);
  readonly contextLength: number;
  readonly maxPromptTokens: number;
  private readonly toolCallsPrefix: number[];

  constructor(
    readonly model: LM,
    readonly tok: Tokenizer,
    opts: LocalEngineOptions & { modelId: string },
  ) {
    this.modelId = opts.modelId;
    this.contextLength = opts.contextLength ?? model.config.maxPositionEmbeddings;
    this.maxPromptTokens = Math.min(opts.maxPromptTokens ?? Infinity, this.contextLength - 1);
    const tc = tok.tokenToId(TOOL_CALLS_TOKEN);
    this.toolCallsPrefix = tc !== undefined && tok.isSpecial(tc) ? [tc] : tok.encode(TOOL_CALLS_TOKEN, { prefix: false, addedTokens: false });
  }

  /** Loads the model folder (and adapter folder, merged into the weights) and its tokenizer. */
  static async load(modelDir: string, adapterDir?: string, opts: LocalEngineOptions = {}): Promise<LocalEngine> {
    await initBackend();
    const tok = loadTokenizer(modelDir);
    const model = await loadModel(modelDir);
    if (adapterDir) loadAdapter(model, adapterDir).merge();
    const id = opts.modelId ?? path.basename(path.resolve(modelDir)) + (adapterDir ? `+${path.basename(path.resolve(adapterDir))}` : "");
    return new LocalEngine(model, tok, { ...opts, modelId: id });
  }

  async complete(
    messages: ChatMessage[],
    tools: ToolSpec[] | undefined,
    params: GenerationParams,
    onText?: (delta: string) => void,
    signal?: CancelSignal,
    onTokenCount?: (generated: number) => void,
  ): Promise<EngineResult> {
    const aborted = () => signal?.reason ?? new Error("request aborted");
    if (signal?.aborted) throw aborted();
    // v3 has no assistant turn with both text and tool calls (OpenAI has): keep the calls.
    messages = messages.map((m) => (m.role === "assistant" && m.tool_calls?.length && m.content ? { ...m, content: null } : m));
    let prompt: number[];
    try {
      prompt = encodeChat(this.tok, messages, { tools: tools as TokenizerToolSpec[] | undefined }); // same shape; parameters typed loosely here
    } catch (err) {
      throw badRequest((err as Error).message.replace(/^encodeChat: /, ""), "messages");
    }
    const forced = params.toolChoice === "required" && !!tools?.length;
    if (forced) prompt = prompt.concat(this.toolCallsPrefix);
    if (prompt.length > this.maxPromptTokens && this.maxPromptTokens < this.contextLength - 1) {
      throw badRequest(`the prompt is ${prompt.length} tokens; this server accepts at most ${this.maxPromptTokens} (--max-prompt-tokens)`, "messages", "prompt_too_long");
    }
    const room = this.contextLength - prompt.length;
    if (room < 1) {
      throw badRequest(`the prompt is ${prompt.length} tokens; this model's context is ${this.contextLength}`, "messages", "context_length_exceeded");
    }
    const maxNew = Math.min(params.maxTokens ?? room, room);

    const ids: number[] = [];
    const filter = new StopFilter(params.stop);
    // "undecided" until the answer's start shows whether it is a tool call (never streamed) or text.
    let mode: "undecided" | "text" | "tools" = forced ? "tools" : tools?.length ? "undecided" : "text";
    let ended: EndGeneration | undefined;
    const onToken = (id: number) => {
      ids.push(id);
      onTokenCount?.(ids.length);
      if (mode === "undecided") {
        const head = this.tok.decode(ids).trimStart();
        if (head.startsWith(TOOL_CALLS_TOKEN)) mode = "tools";
        else if (head.length > 0 && !TOOL_CALLS_TOKEN.startsWith(head)) mode = "text";
      }
      if (mode === "text") {
        // Text from a trailing run of byte-fallback tokens (<0xE8>) is held back: the decoder turns
        // every byte of a group that is not valid UTF-8 into U+FFFD, so a later byte token can still
        // change how the earlier ones read ("<0x5D>" is "]" alone, "��" before "<0xE8>").
        let settled = ids.length;
        while (settled > 0 && BYTE_TOKEN.test(this.tok.idToToken(ids[settled - 1]) ?? "")) settled--;
        const delta = filter.push(this.tok.decode(ids.slice(0, settled), { skipSpecial: true }));
        if (delta && onText) onText(delta);
        if (filter.stopped) throw new EndGeneration("stop");
      }
      if (signal?.aborted) throw new EndGeneration("abort");
    };
    const greedy = !(params.temperature > 0);
    try {
      await generateAsync(this.model, prompt, { // async reads: also runs on webgpu
        maxNewTokens: maxNew,
        greedy,
        ...(greedy ? {} : { temperature: params.temperature, topP: params.topP, seed: params.seed ?? Math.floor(Math.random() * 2 ** 31) }),
        stopIds: [this.tok.eosId],
        onToken,
      });
    } catch (err) {
      if (!(err instanceof EndGeneration)) throw err;
      ended = err;
    }
    if (ended?.why === "abort") throw aborted();
    const usage = { promptTokens: prompt.length, completionTokens: ids.length };
    const hitLength = !ended && ids.length >= maxNew;

    if (mode !== "text") {
      const source = forced ? [...this.toolCallsPrefix, ...ids] : ids;
      const calls = parseToolCallIds(this.tok, source, { rng: new Rng(params.seed ?? ids.length) });
      if (calls && calls.length > 0) return { content: null, toolCalls: calls, ...usage, finishReason: "tool_calls" };
      // Not a well-formed call: return what was generated as text (stop strings applied).
      filter.push(this.tok.decode(source, { skipSpecial: true }));
      const text = filter.text;
      if (text && onText) onText(text);
      return { content: text, toolCalls: [], ...usage, finishReason: hitLength && !filter.stopped ? "length" : "stop" };
    }
    const rest = filter.push(this.tok.decode(ids, { skipSpecial: true })) + filter.flush(); // with the held-back bytes
    if (rest && onText) onText(rest);
    return { content: filter.text, toolCalls: [], ...usage, finishReason: hitLength && !filter.stopped ? "length" : "stop" };
  }
}
