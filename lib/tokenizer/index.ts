/** Tokenizers: Hugging Face tokenizer.json (Mistral v3 exact), hepllm's own BPE, the v3 chat/tool format. */
export { END_INST_TOKEN, FEATURES_TOKEN, INST_TOKEN } from "./types";
export type { DecodeOptions, EncodeOptions, Tokenizer } from "./types";
export { HfTokenizer, loadTokenizer, saveTokenizer } from "./hf-tokenizer";
export { HEPLLM_SPECIAL_TOKENS, trainTokenizer } from "./train";
export type { TrainOptions } from "./train";
export { encodeChat } from "./chat";
export type { ChatMessage, ChatOptions } from "./chat";
export type { ToolCall, ToolSpec } from "./tool-calls";
export { TOOL_CALLS_TOKEN, isToolCallId, newToolCallId, parseToolCallIds, parseToolCalls } from "./tool-calls";
export { pyJsonDumps } from "./py-json";
