/** BPE merge order, byte fallback and unknown characters on a hand-built vocabulary (expected ids derived by hand). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BpeModel, byteToken } from "../../lib/tokenizer/bpe";

function model(extra: string[], merges: Array<[string, string]>, byteFallback = true): BpeModel {
  const tokens = ["<unk>", ...Array.from({ length: 256 }, (_, b) => byteToken(b)), "a", "b", "c", ...extra];
  return new BpeModel({ vocab: new Map(tokens.map((t, i) => [t, i])), merges, byteFallback, unkId: 0, fuseUnk: true });
}
// ids: <unk>=0, bytes 1..256, a=257, b=258, c=259, then extras from 260.

test("merges apply lowest rank first, leftmost on ties", () => {
  const m = model(["bc", "ab", "abc"], [["b", "c"], ["a", "b"], ["a", "bc"]]);
  assert.deepEqual(m.encodeWord("abc"), [262]); // b+c (rank 0) first, then a+bc -> abc
  assert.deepEqual(m.encodeWord("abab"), [261, 261]);
  assert.deepEqual(m.encodeWord("aab"), [257, 261]);
  assert.deepEqual(m.encodeWord("bcbc"), [260, 260]);
  // "ab" outranks nothing here: "abcab" -> a bc a b -> abc ab
  assert.deepEqual(m.encodeWord("abcab"), [262, 261]);
});

test("a lower-ranked merge elsewhere wins over an earlier position", () => {
  const m = model(["ab", "bc"], [["b", "c"], ["a", "b"]]);
  assert.deepEqual(m.encodeWord("abc"), [257, 261]); // ab=260, bc=261: b+c first, so a+b never applies
  const m2 = model(["ab", "bc"], [["a", "b"], ["b", "c"]]);
  assert.deepEqual(m2.encodeWord("abc"), [260, 259]);
});

test("overlapping runs merge left to right", () => {
  const m = model(["aa"], [["a", "a"]]);
  assert.deepEqual(m.encodeWord("aaa"), [260, 257]);
  assert.deepEqual(m.encodeWord("aaaa"), [260, 260]);
});

test("unknown characters fall back to UTF-8 bytes, or to one fused <unk> without byte fallback", () => {
  const m = model([], []);
  assert.deepEqual(m.encodeWord("aé"), [257, 0xc3 + 1, 0xa9 + 1]);
  assert.deepEqual(m.encodeWord("😀"), [0xf0 + 1, 0x9f + 1, 0x98 + 1, 0x80 + 1]);
  const noBytes = new BpeModel({ vocab: new Map([["<unk>", 0], ["a", 1]]), merges: [], byteFallback: false, unkId: 0, fuseUnk: true });
  assert.deepEqual(noBytes.encodeWord("xyaz"), [0, 1, 0]);
});

test("a merge naming a missing token is reported", () => {
  assert.throws(() => model([], [["a", "z"]]), /merge 0 .*missing/);
});
