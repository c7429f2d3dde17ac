/**
 * Prompt and answer ids: Mistral v3 against SentencePiece (control tokens spliced as mistral-common
 * does), hepllm's own tokenizer and stories260K (no control tokens) against Hugging Face's
 * tokenizers.js encoding the whole text "prompt + answer" in one go.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { sharedFile, skipUnlessPython, skipUnlessShared } from "../support/shared";
import { loadTokenizer } from "../../lib/tokenizer/hf-tokenizer";
import { Tokenizer } from "../../lib/tokenizer/types";
import type { EventRecord } from "../../lib/jets/record";
import { PromptOptions, encodeExample, featuresTokenId, formatPrompt, syntheticRecords, trainPromptTokenizer } from "../../lib/prompts";
import { sentencePiece } from "../tokenizer/sentencepiece-ref";

const MISTRAL = "fixtures/mistral-v3";
const STYLES: Array<Partial<PromptOptions>> = [{}, { units: true }, { nsubjettiness: true, decimals: 3 }, { dR: false }, { featuresToken: true }];
const records = [...syntheticRecords(40, 77)];

async function hfReference(dir: string): Promise<(text: string) => number[]> {
  const { Tokenizer: Ref } = (await import("@huggingface/tokenizers")) as typeof import("@huggingface/tokenizers");
  const cfg = fs.existsSync(`${dir}/tokenizer_config.json`) ? JSON.parse(fs.readFileSync(`${dir}/tokenizer_config.json`, "utf8")) : {};
  const ref = new Ref(JSON.parse(fs.readFileSync(`${dir}/tokenizer.json`, "utf8")), cfg);
  return (text) => ref.encode(text, { add_special_tokens: true }).ids;
}

test("Mistral v3: BOS [INST] content [/INST] as mistral-common would encode it; answers ▁signal/▁background + EOS", {
  skip: skipUnlessShared(`${MISTRAL}/tokenizer.model.v3`) || skipUnlessPython("sentencepiece", "python3-sentencepiece"),
}, () => {
  const tok = loadTokenizer(sharedFile(MISTRAL)!);
  const texts = records.map((r, i) => formatPrompt(r, STYLES[i % 4], i));
  const contents = texts.map((t) => t.slice("[INST] ".length, t.length - "[/INST]".length));
  const ref = sentencePiece(sharedFile(`${MISTRAL}/tokenizer.model.v3`)!, [...contents, "signal", "background", ...texts.map((t) => t + " signal")]);
  records.forEach((r, i) => {
    const ex = encodeExample(tok, r, STYLES[i % 4], i);
    assert.deepEqual(ex.promptIds, [1, 3, ...ref[i].ids, 4], `event ${r.id}`);
    assert.equal(tok.decode(ex.promptIds), `<s>${texts[i]}`);
    assert.equal(ex.featuresTokenIndex, -1);
    // The answer as SentencePiece spells it right after the prompt text.
    const whole = ref[contents.length + 2 + i].ids;
    assert.deepEqual(whole.slice(-ex.answerIds.signal.length + 1), ex.answerIds.signal.slice(0, -1));
  });
  const ex = encodeExample(tok, records[0]);
  assert.deepEqual(ex.answerIds, { signal: [...ref[contents.length].ids, 2], background: [...ref[contents.length + 1].ids, 2] });
  assert.deepEqual(ex.answerIds.signal, [8296, 2]);
});

test("Mistral v3: the features placeholder uses the reserved [control_12] id", { skip: skipUnlessShared(`${MISTRAL}/tokenizer.json`) }, () => {
  const tok = loadTokenizer(sharedFile(MISTRAL)!);
  const ex = encodeExample(tok, records[1], { featuresToken: true });
  assert.equal(featuresTokenId(tok), tok.tokenToId("[control_12]"));
  assert.equal(ex.promptIds[ex.featuresTokenIndex], tok.tokenToId("[control_12]"));
  assert.equal(ex.promptIds.filter((id) => id === featuresTokenId(tok)).length, 1);
});

function checkWholeText(tok: Tokenizer, whole: (text: string) => number[], eos: string, styles = STYLES, recs = records): void {
  recs.forEach((r, i) => {
    const style = styles[i % styles.length];
    const ex = encodeExample(tok, r, style, i);
    const text = formatPrompt(r, style, i);
    assert.deepEqual([...ex.promptIds, ...ex.answerIds.signal], whole(`${text} signal${eos}`), `event ${r.id} signal`);
    assert.deepEqual([...ex.promptIds, ...ex.answerIds.background], whole(`${text} background${eos}`), `event ${r.id} background`);
    if (style.featuresToken) assert.equal(tok.idToToken(ex.promptIds[ex.featuresTokenIndex]), "<JET_FEATURES>");
    else assert.equal(ex.featuresTokenIndex, -1);
  });
}

test("hepllm's own tokenizer: spliced ids equal encoding the whole text (tokenizers.js reference)", async () => {
  const tok = trainPromptTokenizer({ records: syntheticRecords(800, 1) });
  const dir = fs.mkdtempSync(`${require("node:os").tmpdir()}/hepllm-prompt-tok-`);
  try {
    const { saveTokenizer } = await import("../../lib/tokenizer/hf-tokenizer");
    saveTokenizer(tok, dir);
    checkWholeText(tok, await hfReference(dir), "</s>");
    assert.equal(tok.idToToken(encodeExample(tok, records[0]).answerIds.signal[0]), "▁signal");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Records as a jet-feature table gives them: no event/jet n_particles, no P_T_lead. */
function tableStyle(r: EventRecord): EventRecord {
  const { n_particles: _n, ...rest } = r;
  return { ...rest, jets: r.jets.map(({ n_particles: _m, P_T_lead: _l, ...j }) => j) };
}

test("a tokenizer trained on prompts of records without the optional fields encodes them as the reference does", async () => {
  const tok = trainPromptTokenizer({ records: [...syntheticRecords(400, 2)].map(tableStyle) });
  const recs = records.map(tableStyle);
  assert.ok(recs.every((r) => !formatPrompt(r).includes("n_particles")));
  const dir = fs.mkdtempSync(`${require("node:os").tmpdir()}/hepllm-prompt-tok-`);
  try {
    const { saveTokenizer } = await import("../../lib/tokenizer/hf-tokenizer");
    saveTokenizer(tok, dir);
    checkWholeText(tok, await hfReference(dir), "</s>", STYLES, recs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("stories260K (no control tokens): the prompt is plain text and answers continue it", { skip: skipUnlessShared("fixtures/stories260K/tokenizer.json") }, async () => {
  const dir = sharedFile("fixtures/stories260K")!;
  const tok = loadTokenizer(dir);
  assert.equal(tok.hasControlTokens, false);
  const ref = await hfReference(dir);
  const eosId = tok.eosId;
  checkWholeText(tok, (t) => [...ref(t), eosId], "", STYLES.slice(0, 4));
  assert.throws(() => encodeExample(tok, records[0], { featuresToken: true }), /no <JET_FEATURES> special token/);
});
