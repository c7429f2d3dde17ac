/**
 * The fusion adapter's `<JET_FEATURES>` placeholder for a tokenizer that lacks it (any Hugging
 * Face Llama/Mistral folder): added as a special token with the next id, len(tokenizer), as
 * transformers' `add_special_tokens` does, and the model's vocabulary grown to hold it when the id
 * is beyond the embedding table (`resize_token_embeddings`; a table already larger than the
 * tokenizer keeps its size, as AutoPeftModelForCausalLM only grows). The new row is then trained
 * as a PEFT trainable token (lib/llm/adapters/trainable-tokens.ts).
 */
import { LM } from "../llm/model/decoder";
import { resizeVocabulary } from "../llm/model/resize-vocab";
import { featuresTokenId } from "../prompts";
import { HfTokenizer } from "../tokenizer/hf-tokenizer";
import { withSpecialToken } from "../tokenizer/added-tokens";
import { FEATURES_TOKEN, Tokenizer } from "../tokenizer/types";

/** The tokenizer to use (with the token added when it was missing) and the added id, if any. */
export function ensureFeaturesToken(model: LM, tok: Tokenizer): { tok: Tokenizer; added?: number } {
  try {
    featuresTokenId(tok);
    return { tok };
  } catch {
    // missing: add it below
  }
  if (!(tok instanceof HfTokenizer)) throw new Error(`the tokenizer has no ${FEATURES_TOKEN} special token, and hepllm can add one only to a Hugging Face tokenizer.json`);
  const id = tok.vocabSize;
  const grown = new HfTokenizer(withSpecialToken(tok.json, FEATURES_TOKEN, id), tok.config, `${FEATURES_TOKEN} added to tokenizer.json`);
  if (id >= model.config.vocabSize) resizeVocabulary(model, id + 1);
  return { tok: grown, added: id };
}
