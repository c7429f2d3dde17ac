/**
 * Token ids for training and scoring: the prompt (BOS, `[INST]` ... `[/INST]`) and each label's
 * answer (` signal` / ` background` + EOS). When the tokenizer has `[INST]`/`[/INST]` (and
 * `<JET_FEATURES>`) as special tokens they are spliced as ids, never spelled from text (the
 * Mistral chat format); otherwise the prompt is encoded as plain text.
 * The answer ids are those the tokenizer gives the answer text when it follows the prompt:
 * SentencePiece/Metaspace fold the space into the word (`▁signal`), with no dummy-prefix `▁`.
 */
import { EventRecord } from "../jets/record";
import { END_INST_TOKEN, FEATURES_TOKEN, INST_TOKEN, Tokenizer } from "../tokenizer/types";
import { PromptOptions, formatPrompt } from "./format";

export const LABEL_TEXT = { signal: " signal", background: " background" } as const;

/**
 * Mistral v3 reserves control tokens it never trained; `[control_12]` stands in for
 * `<JET_FEATURES>` when a tokenizer lacks it, so the fusion adapter works without growing the vocabulary.
 */
export const FEATURES_FALLBACK_TOKENS = ["[control_12]"];

export interface EncodedExample {
  promptIds: number[];
  answerIds: { signal: number[]; background: number[] };
  /** Position of the `<JET_FEATURES>` id in promptIds, -1 when the option is off. */
  featuresTokenIndex: number;
}

/** The id that marks where the fusion adapter's features go. */
export function featuresTokenId(tok: Tokenizer): number {
  for (const name of [FEATURES_TOKEN, ...FEATURES_FALLBACK_TOKENS]) {
    const id = tok.tokenToId(name);
    if (id !== undefined && tok.isSpecial(id)) return id;
  }
  throw new Error(`the tokenizer has no ${FEATURES_TOKEN} special token (nor ${FEATURES_FALLBACK_TOKENS.join(", ")}); the fusion adapter's token mode needs one`);
}

/** Prompt text -> ids, BOS first; markers become ids when the tokenizer has them as special tokens. */
export function encodePromptText(tok: Tokenizer, text: string): number[] {
  const ids = [tok.bosId];
  const featuresId = text.includes(FEATURES_TOKEN) ? featuresTokenId(tok) : -1;
  if (!tok.hasControlTokens) {
    // Plain text, except the features placeholder, which must stay one id.
    text.split(FEATURES_TOKEN).forEach((piece, i) => {
      if (i > 0) ids.push(featuresId);
      if (piece) ids.push(...tok.encode(piece, { prefix: i === 0, addedTokens: false }));
    });
    return ids;
  }
  const marker = { [INST_TOKEN]: tok.tokenToId(INST_TOKEN)!, [END_INST_TOKEN]: tok.tokenToId(END_INST_TOKEN)!, [FEATURES_TOKEN]: featuresId };
  for (const piece of text.split(/(\[INST\]|\[\/INST\]|<JET_FEATURES>)/)) {
    if (piece === "") continue;
    const id = (marker as Record<string, number>)[piece];
    // Text between control ids continues the sequence: " Classify" -> ▁Classify, as mistral-common's encode("Classify").
    ids.push(...(id !== undefined ? [id] : tok.encode(piece, { prefix: false, addedTokens: false })));
  }
  return ids;
}

/** Prompt ids and both answers' ids for one event. */
export function encodeExample(tok: Tokenizer, rec: EventRecord, opts: Partial<PromptOptions> = {}, variant = 0): EncodedExample {
  const promptIds = encodePromptText(tok, formatPrompt(rec, opts, variant));
  const answer = (text: string): number[] => [...tok.encode(text, { prefix: false, addedTokens: false }), tok.eosId];
  return {
    promptIds,
    answerIds: { signal: answer(LABEL_TEXT.signal), background: answer(LABEL_TEXT.background) },
    featuresTokenIndex: opts.featuresToken ? promptIds.indexOf(featuresTokenId(tok)) : -1,
  };
}
