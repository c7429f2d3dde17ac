/**
 * config.json of mistral/llama models: reading the real stories260K config, defaults, the
 * round trip through configToJson, and validation errors that name the file and field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { configFromJson, configToJson, readConfig } from "../../../lib/llm/model/config";
import { sharedFile, skipUnlessShared } from "../../support/shared";
import { tempDir, TINY_MISTRAL } from "../support";

test("reads the stories260K config", { skip: skipUnlessShared("fixtures/stories260K/config.json") }, () => {
  const cfg = readConfig(sharedFile("fixtures/stories260K")!);
  assert.deepEqual(cfg, {
    modelType: "mistral", vocabSize: 512, hiddenSize: 64, intermediateSize: 172, numLayers: 5, numHeads: 8, numKvHeads: 4, headDim: 8,
    ropeTheta: 10000, rmsNormEps: 1e-5, slidingWindow: null, tieWordEmbeddings: true, maxPositionEmbeddings: 512, bosTokenId: 1, eosTokenId: 2,
  });
});

test("defaults of a minimal llama config and the round trip through configToJson", () => {
  const cfg = configFromJson({ model_type: "llama", vocab_size: 100, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 4 });
  assert.equal(cfg.numKvHeads, 4);
  assert.equal(cfg.headDim, 8);
  assert.equal(cfg.slidingWindow, null);
  assert.equal(cfg.tieWordEmbeddings, false);
  assert.deepEqual(configFromJson(configToJson(TINY_MISTRAL)), TINY_MISTRAL);
  assert.equal(configFromJson({ ...configToJson(TINY_MISTRAL), eos_token_id: [2, 7] }).eosTokenId, 2);
});

test("invalid configs are rejected naming the file and field", () => {
  const dir = tempDir("cfg");
  try {
    const good = configToJson(TINY_MISTRAL);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, model_type: "gpt2" }, /field model_type must be "mistral" or "llama"/],
      [{ ...good, hidden_size: 0 }, /field hidden_size must be a positive integer/],
      [{ ...good, num_key_value_heads: 3 }, /num_attention_heads \(4\) must be a multiple of num_key_value_heads \(3\)/],
      [{ ...good, sliding_window: -4 }, /field sliding_window must be a positive integer or null/],
      [{ ...good, hidden_act: "gelu" }, /field hidden_act must be "silu"/],
      [{ ...good, head_dim: 15 }, /head_dim \(15\) must be even/],
      [{ ...good, eos_token_id: 500 }, /eosTokenId 500 is outside the vocabulary/],
      [{ ...good, rope_scaling: { type: "linear" } }, /rope_scaling is not supported/],
    ];
    for (const [json, re] of cases) {
      fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(json));
      assert.throws(() => readConfig(dir), (e: Error) => e.message.includes(path.join(dir, "config.json")) && re.test(e.message), JSON.stringify(re));
    }
    fs.writeFileSync(path.join(dir, "config.json"), "{not json");
    assert.throws(() => readConfig(dir), /config.json: cannot read model config/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
