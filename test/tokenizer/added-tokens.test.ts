/**
 * Adding a special token to a tokenizer.json: the text of the token becomes its one id wherever it
 * occurs (hand-derived ids on a tiny vocabulary); a duplicate content or id is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { withSpecialToken } from "../../lib/tokenizer/added-tokens";
import { HfTokenizer } from "../../lib/tokenizer/hf-tokenizer";

const json = {
  added_tokens: [{ id: 0, content: "<unk>", special: true }],
  model: { type: "BPE", vocab: { "<unk>": 0, a: 1, b: 2, ab: 3 }, merges: ["a b"], unk_token: "<unk>" },
};

test("an added special token becomes one id, the text around it is encoded as before", () => {
  const grown = new HfTokenizer(withSpecialToken(json, "<JET_FEATURES>", 4), {});
  assert.equal(grown.vocabSize, 5);
  assert.ok(grown.isSpecial(4));
  assert.deepEqual(grown.encode("ab<JET_FEATURES>ba"), [3, 4, 2, 1]);
  assert.equal(grown.decode([3, 4]), "ab<JET_FEATURES>");
  assert.equal(json.added_tokens.length, 1, "the original json is untouched");
});

test("adding a token twice, or on a taken id, is refused", () => {
  const once = withSpecialToken(json, "<X>", 4);
  assert.throws(() => withSpecialToken(once, "<X>", 5), /<X> is already an added token/);
  assert.throws(() => withSpecialToken(json, "<Y>", 0), /id 0 is already taken/);
});
