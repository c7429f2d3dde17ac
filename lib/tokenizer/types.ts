/**
 * The tokenizer contract every model in hepllm uses: text <-> token ids, plus the ids of the
 * special tokens that training, generation and the chat format need.
 */

export interface EncodeOptions {
  /** Prepend the BOS id (default false: raw text encoding, like SentencePiece's encode). */
  bos?: boolean;
  /** Append the EOS id (default false). */
  eos?: boolean;
  /**
   * Whether the text starts a new sequence (default true). False means it continues earlier text
   * (e.g. an answer after `[/INST]`), so no dummy-prefix `▁` is added: " signal" -> `▁signal`.
   */
  prefix?: boolean;
  /**
   * Whether added-token text in the input (`[INST]`, `<s>`) becomes its id (default true, as
   * Hugging Face does). False encodes it as plain text, as SentencePiece and mistral-common do with
   * message contents (so a user cannot inject control tokens).
   */
  addedTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (`<s>`, `[INST]`, ...) from the text (default false). */
  skipSpecial?: boolean;
}

export interface Tokenizer {
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: number[], opts?: DecodeOptions): string;
  bosId: number;
  eosId: number;
  /** The padding id: the configured pad token, else `<unk>` (never EOS, so padding is never read as an end). */
  padId: number;
  unkId: number;
  vocabSize: number;
  tokenToId(tok: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** True when `[INST]` and `[/INST]` are special tokens (the Mistral chat format is spliced as ids). */
  hasControlTokens: boolean;
  /** Whether an id is a special (added, control) token. */
  isSpecial(id: number): boolean;
}

/** hepllm's special tokens: the fusion adapter's placeholder for the numeric jet features. */
export const FEATURES_TOKEN = "<JET_FEATURES>";
export const INST_TOKEN = "[INST]";
export const END_INST_TOKEN = "[/INST]";
