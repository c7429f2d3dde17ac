/**
 * hepllm's own BPE tokenizer: deterministic, special tokens where promised, single digits, a valid
 * Hugging Face tokenizer.json (Hugging Face's tokenizers.js reads the saved file and must encode
 * and decode exactly as hepllm does), save/load round trip.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HEPLLM_SPECIAL_TOKENS, trainTokenizer } from "../../lib/tokenizer/train";
import { loadTokenizer, saveTokenizer } from "../../lib/tokenizer/hf-tokenizer";
import { formatPrompt, promptCorpus, syntheticRecords } from "../../lib/prompts";
import { awkwardTexts } from "./sentencepiece-ref";

const corpus = (): string[] => [...promptCorpus(syntheticRecords(600, 3))];

test("training is deterministic and respects the vocabulary budget", () => {
  const a = trainTokenizer(corpus(), { vocabSize: 700 });
  const b = trainTokenizer(corpus(), { vocabSize: 700 });
  assert.equal(JSON.stringify(a.json), JSON.stringify(b.json));
  assert.ok(a.vocabSize <= 700 && a.vocabSize > 400, `vocab ${a.vocabSize}`);
  assert.throws(() => trainTokenizer(corpus(), { vocabSize: 100 }), /below the \d+ base tokens/);
});

test("special tokens have fixed ids and are control tokens; digits are single tokens", () => {
  const tok = trainTokenizer(corpus(), { vocabSize: 1024 });
  assert.deepEqual(HEPLLM_SPECIAL_TOKENS.map((t) => tok.tokenToId(t)), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual([tok.unkId, tok.bosId, tok.eosId, tok.padId], [0, 1, 2, 5]);
  assert.equal(tok.hasControlTokens, true);
  for (let id = 0; id < tok.vocabSize; id++) {
    const t = tok.idToToken(id)!;
    if (/\d/.test(t) && !/^<0x[0-9A-F]{2}>$/.test(t)) assert.equal(t.length, 1, `token ${JSON.stringify(t)} merges a digit`);
  }
  const ids = tok.encode("P_T=1583.80");
  assert.deepEqual(ids.slice(-7).map((i) => tok.idToToken(i)), ["1", "5", "8", "3", ".", "8", "0"]);
  assert.equal(tok.encode("[INST] x[/INST]")[0], 3);
  assert.equal(tok.encode("<JET_FEATURES>").length, 1);
});

test("tokenizers.js reads the saved tokenizer.json and agrees on ids and text", async () => {
  const { Tokenizer } = (await import("@huggingface/tokenizers")) as typeof import("@huggingface/tokenizers");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-tok-"));
  try {
    const tok = trainTokenizer(corpus(), { vocabSize: 1024 });
    saveTokenizer(tok, dir);
    const loaded = loadTokenizer(dir);
    const ref = new Tokenizer(JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")), JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")));
    const texts = [...[...syntheticRecords(40, 99)].map((r, i) => formatPrompt(r, { featuresToken: i % 2 === 0 }) + " signal</s>"), ...awkwardTexts(150, 4)];
    for (const s of texts) {
      const expected = ref.encode(s, { add_special_tokens: false }).ids;
      assert.deepEqual(tok.encode(s), expected, JSON.stringify(s));
      assert.deepEqual(loaded.encode(s), expected, `reloaded: ${JSON.stringify(s)}`);
      assert.equal(tok.decode(expected), ref.decode(expected, { skip_special_tokens: false }), `decode ${JSON.stringify(s)}`);
      if (!/^\s/.test(s)) assert.equal(tok.decode(tok.encode(s)), s, `round trip ${JSON.stringify(s)}`);
    }
    assert.deepEqual(ref.encode("hi").ids, [1, ...tok.encode("hi")], "BOS from the post-processor");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("prompts take far fewer tokens than characters", () => {
  const tok = trainTokenizer(corpus(), { vocabSize: 1024 });
  const text = formatPrompt([...syntheticRecords(1, 42)][0]);
  const n = tok.encode(text).length;
  assert.ok(n < text.length / 2.5, `${n} tokens for ${text.length} characters`);
});
