/**
 * The Mistral v3 tokenizer.json, loaded by hepllm, against the reference implementations:
 * SentencePiece (Debian python3-sentencepiece on tokenizer.model.v3) for plain text, and
 * Hugging Face's tokenizers.js for text with special tokens (HF's legacy splitting rules).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedFile, skipUnlessPython, skipUnlessShared } from "../support/shared";
import { loadTokenizer } from "../../lib/tokenizer/hf-tokenizer";
import { formatPrompt, syntheticRecords } from "../../lib/prompts";
import { awkwardTexts, sentencePiece } from "./sentencepiece-ref";

const DIR = "fixtures/mistral-v3";
const skip = skipUnlessShared(`${DIR}/tokenizer.model.v3`) || skipUnlessShared(`${DIR}/tokenizer.json`) || skipUnlessPython("sentencepiece", "python3-sentencepiece");

/** Event prompts as plain text (no control tokens): numbers, indentation, newlines. */
function promptTexts(n: number): string[] {
  const styles = [{}, { units: true }, { nsubjettiness: true, decimals: 3 }, { dR: false, decimals: 0 }];
  return [...syntheticRecords(n, 5)].map((r, i) => formatPrompt(r, styles[i % styles.length]).replace("[INST]", "").replace("[/INST]", "") + (i % 2 ? " signal" : " background"));
}

test("Mistral v3 ids and decoding equal SentencePiece's on awkward texts and event prompts", { skip }, () => {
  const tok = loadTokenizer(sharedFile(DIR)!);
  const texts = [...awkwardTexts(400, 11), ...promptTexts(120), "", " ", "\n", "▁", "a▁b"];
  const ref = sentencePiece(sharedFile(`${DIR}/tokenizer.model.v3`)!, texts);
  let checked = 0;
  texts.forEach((s, i) => {
    const ids = tok.encode(s);
    assert.deepEqual(ids, ref[i].ids, `ids of ${JSON.stringify(s)}`);
    const text = tok.decode(ids);
    assert.equal(text, ref[i].decoded, `decode of ${JSON.stringify(s)}`);
    if (!s.includes("▁")) assert.equal(text, s, `round trip of ${JSON.stringify(s)}`);
    checked++;
  });
  assert.equal(checked, texts.length);
});

test("Mistral v3 BOS/EOS and special ids match the model card", { skip: skipUnlessShared(`${DIR}/tokenizer.json`) }, () => {
  const tok = loadTokenizer(sharedFile(DIR)!);
  assert.equal(tok.vocabSize, 32768);
  assert.deepEqual([tok.unkId, tok.bosId, tok.eosId], [0, 1, 2]);
  const ids = ["[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"].map((t) => tok.tokenToId(t));
  assert.deepEqual(ids, [3, 4, 5, 6, 7, 8, 9]);
  assert.equal(tok.hasControlTokens, true);
  assert.deepEqual(tok.encode("hi", { bos: true, eos: true }), [1, ...tok.encode("hi"), 2]);
  assert.equal(tok.decode([1, 3, 2592, 4, 2], { skipSpecial: true }), "What");
});

test("text with special tokens splits as Hugging Face does (tokenizers.js reference)", { skip: skipUnlessShared(`${DIR}/tokenizer.json`) }, async () => {
  const { Tokenizer } = (await import("@huggingface/tokenizers")) as typeof import("@huggingface/tokenizers");
  const fs = await import("node:fs");
  const ref = new Tokenizer(JSON.parse(fs.readFileSync(sharedFile(`${DIR}/tokenizer.json`)!, "utf8")), JSON.parse(fs.readFileSync(sharedFile(`${DIR}/tokenizer_config.json`)!, "utf8")));
  const tok = loadTokenizer(sharedFile(DIR)!);
  const texts = ["[INST] x [/INST]", "<s>[INST]hi[/INST] answer</s>", "a[TOOL_CALLS][{\"name\": \"f\"}]", "[INST]\n\n[/INST]", "[INST][INST]", ...awkwardTexts(100, 3)];
  for (const s of texts) {
    const expected = ref.encode(s, { add_special_tokens: false }).ids;
    assert.deepEqual(tok.encode(s), expected, JSON.stringify(s));
    assert.equal(tok.decode(expected), ref.decode(expected, { skip_special_tokens: false }), `decode ${JSON.stringify(s)}`);
  }
});
