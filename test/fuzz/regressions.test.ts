/**
 * Inputs the fuzzers found crashing or hanging a parser, kept as plain regression tests. Each
 * expects the error hand-written here (file/field named), never an engine error or a hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Checkpoint, writeSafetensors } from "../../lib/llm/io/safetensors";
import { openLHCO } from "../../lib/events";
import { h5wasm } from "../../lib/events/hdf5";
import { readAllRecords } from "../../lib/dataset/jsonl";
import { HfTokenizer } from "../../lib/tokenizer/hf-tokenizer";
import { parseChatRequest } from "../../lib/serve/request";
import { HttpError } from "../../lib/serve/errors";
import { makeRecord } from "../dataset/records";
import { uncleanReason } from "./clean-error";

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-fuzz-reg-"));
/** `[[[...]]]`, 20,000 deep, as JSON text (JSON.parse reads it; JSON.stringify cannot write it back). */
const DEEP = "[".repeat(20000) + "]".repeat(20000);

/** Asserts `f` throws a clean error (test/fuzz/clean-error.ts) whose message matches `re`. */
function throwsClean(f: () => unknown, re: RegExp, where: string[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  assert.ok(err, "expected an error");
  assert.equal(uncleanReason(err, where), undefined);
  assert.match((err as Error).message, re);
}

function safetensorsWithHeader(dir: string, headerJson: string): void {
  const text = Buffer.from(headerJson);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  fs.writeFileSync(path.join(dir, "model.safetensors"), Buffer.concat([len, text]));
}

test("safetensors: a deeply nested shape is an error naming the tensor (was RangeError in the message)", () => {
  const dir = tmp();
  try {
    safetensorsWithHeader(dir, `{"w":{"dtype":"F32","shape":${DEEP},"data_offsets":[0,0]}}`);
    throwsClean(() => new Checkpoint(dir), /tensor "w": shape \(a value nested too deeply to print\) is not a list of sizes/, [dir]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("safetensors: a 1 TB tensor claim is an error before any allocation", () => {
  const dir = tmp();
  try {
    safetensorsWithHeader(dir, `{"w":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,1099511627776]}}`);
    throwsClean(() => new Checkpoint(dir), /data_offsets \[0, 1099511627776\] are outside the 0-byte data section/, [dir]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("safetensors index: shard names that are folders or hold NUL are rejected by name (was EISDIR / TypeError)", () => {
  const dir = tmp();
  try {
    writeSafetensors(path.join(dir, "s1.safetensors"), { w: { dtype: "F32", shape: [1], data: Float32Array.from([1]) } });
    const index = path.join(dir, "model.safetensors.index.json");
    for (const shard of ["", ".", "..", "s1\u0000.safetensors"]) {
      fs.writeFileSync(index, JSON.stringify({ weight_map: { w: shard } }));
      throwsClean(() => new Checkpoint(dir), /weight_map\.w = .* is not a shard file name/, [index]);
    }
    // A shard that is a folder: named, not EISDIR.
    fs.mkdirSync(path.join(dir, "sub.safetensors"));
    fs.writeFileSync(index, JSON.stringify({ weight_map: { w: "sub.safetensors" } }));
    throwsClean(() => new Checkpoint(dir), /sub\.safetensors: not a regular file/, [dir]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("LHCO: a chunked dataset claiming 2^40 unstored rows is an error, not an endless stream of zeros", async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, "huge.h5");
    const h5 = await h5wasm();
    const f = new h5.File(file, "w");
    f.create_group("df");
    const ds = f.create_dataset({ name: "df/block0_values", data: new Float64Array(0), shape: [0, 2101], dtype: "<d", maxshape: [null, 2101], chunks: [32, 2101] });
    ds.resize([2 ** 40, 2101]);
    f.close();
    const size = fs.statSync(file).size;
    assert.ok(size < 1e6, `fixture is small (${size} bytes)`);
    await assert.rejects(openLHCO(file), (err: Error) => {
      assert.equal(uncleanReason(err, [file]), undefined);
      assert.match(err.message, new RegExp(`claims 1099511627776 rows, impossible in a ${size}-byte file`));
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("JSONL: a deeply nested field is a RecordError naming file, line and field (was RangeError)", () => {
  const dir = tmp();
  try {
    const file = path.join(dir, "r.jsonl");
    const line = JSON.stringify(makeRecord(1)).replace(/"jets":\[.*\]\}$/, `"jets":[${DEEP}]}`);
    fs.writeFileSync(file, JSON.stringify(makeRecord(0)) + "\n" + line + "\n");
    throwsClean(() => readAllRecords(file), /r\.jsonl:2: jets\[0\] must be object \(got a value nested too deeply to print\)/, [file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("chat request: a deeply nested role is a 400 naming the field (was RangeError)", () => {
  const body = JSON.parse(`{"model":"m","messages":[{"role":${DEEP},"content":"hi"}]}`);
  let err: unknown;
  try {
    parseChatRequest(body);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof HttpError);
  assert.equal(err.status, 400);
  assert.equal(err.param, "messages[0].role");
  assert.match(err.message, /got \(a value nested too deeply to print\)/);
});

/** A minimal valid BPE tokenizer.json: a, b, ab (merge), <unk>. */
function tokJson(over: Record<string, unknown> = {}, model: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: { type: "BPE", vocab: { "<unk>": 0, a: 1, b: 2, ab: 3 }, merges: ["a b"], unk_token: "<unk>", ...model }, ...over };
}
const W = "dir/tokenizer.json";

test("tokenizer.json: wrong types are errors naming the file (were TypeErrors)", () => {
  const cases: [unknown, unknown, RegExp][] = [
    [null, {}, /must be a JSON object, got null/],
    [tokJson(), null, /tokenizer_config\.json must be a JSON object/],
    [tokJson({ added_tokens: 5 }), {}, /added_tokens must be an array, got 5/],
    [tokJson({ added_tokens: [null] }), {}, /added_tokens\[0\] needs content and an id/],
    [tokJson({}, { merges: { a: 1 } }), {}, /model\.merges must be an array/],
    [tokJson({ normalizer: { type: "Sequence", normalizers: "NFC" } }), {}, /normalizer\.normalizers must be an array, got "NFC"/],
    [tokJson({ pre_tokenizer: { type: "Sequence" } }), {}, /pre_tokenizer\.pretokenizers must be an array, got undefined/],
    [tokJson({ decoder: 7 }), {}, /decoder must be an object, got 7/],
    [tokJson({ pre_tokenizer: { type: "Split", pattern: { Regex: "(" }, behavior: "Isolated" } }), {}, /pre_tokenizer\.pattern: Regex "\(" is not a valid JavaScript regular expression/],
    [tokJson({}, { vocab: { a: 2 ** 40 } }), {}, /model\.vocab\["a"\] = 1099511627776 is not a valid id/],
    [tokJson({}, { merges: ["a c"] }), {}, /dir\/tokenizer\.json: model: BPE merge 0 \("a", "c"\) uses a token missing/],
    [tokJson({}, { merges: [[JSON.parse(DEEP), "b"]] }), {}, /model\.merges\[0\] is not a pair: \(a value nested too deeply to print\)/],
    [tokJson({ model: { type: JSON.parse(DEEP) } }), {}, /model\.type must be "BPE" \(got \(a value nested too deeply to print\)\)/],
  ];
  for (const [json, config, re] of cases) throwsClean(() => new HfTokenizer(json as Record<string, unknown>, config as Record<string, unknown>, W), re, [W]);
});

test("tokenizer.json: an empty Metaspace replacement is rejected (was an endless loop in encode)", () => {
  throwsClean(() => new HfTokenizer(tokJson({ pre_tokenizer: { type: "Metaspace", replacement: "" } }), {}, W), /Metaspace replacement must not be empty/, [W]);
});

test("tokenizer.json: a Strip decoder with empty content and a huge start decodes at once (was an endless loop)", () => {
  const tok = new HfTokenizer(tokJson({ decoder: { type: "Strip", content: "", start: 1e300, stop: 1e300 } }), {}, W);
  assert.equal(tok.decode([3, 1]), "aba");
});

test("tokenizer: a character outside a vocabulary without byte fallback or <unk> names the tokenizer", () => {
  const tok = new HfTokenizer(tokJson({}, { unk_token: undefined, vocab: { a: 0, b: 1, ab: 2 } }), {}, W);
  throwsClean(() => tok.encode("abc"), /dir\/tokenizer\.json: cannot encode: character "c" is not in the vocabulary/, [W]);
});

test("training config: sizes that become allocations have maxima (1e12 hidden units is an error)", async () => {
  const { resolveTrainConfig } = await import("../../lib/train/config");
  const base = { run: "r", data: { train: "t.jsonl" } };
  throwsClean(() => resolveTrainConfig({ ...base, model: { kind: "mlp", hidden: [1e12], dropout: 0 } }, "cfg.json"), /cfg\.json: invalid training config: .*\/model\/hidden\/0 must be <= 65536/, ["cfg.json"]);
  throwsClean(() => resolveTrainConfig({ ...base, model: { kind: "llm", path: "m" }, lora: { r: 2 ** 40 } }, "cfg.json"), /\/lora\/r must be <= 4096/, ["cfg.json"]);
  throwsClean(() => resolveTrainConfig({ ...base, model: { kind: "llm", path: "m" }, schedule: { batchSize: 1e300 } }, "cfg.json"), /\/schedule\/batchSize must be <= 65536/, ["cfg.json"]);
});

test("safetensors: a dimension beyond 2^53 is rejected even when another dimension is 0", () => {
  const dir = tmp();
  try {
    safetensorsWithHeader(dir, `{"w":{"dtype":"F32","shape":[1e300,0],"data_offsets":[0,0]}}`);
    throwsClean(() => new Checkpoint(dir), /tensor "w": shape \[1e\+300,0\] is not a list of sizes/, [dir]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
