/**
 * safetensors: reading a file written by an independent numpy writer (every dtype; F16/BF16
 * widened exactly), writing and reading back, header validation as the format specifies, and
 * sharded checkpoints through model.safetensors.index.json.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Checkpoint, SafetensorsFile, writeSafetensors } from "../../../lib/llm/io/safetensors";
import { f32ToBf16, f32ToF16, f16ToF32, bf16ToF32 } from "../../../lib/llm/io/half";
import { skipUnlessPython } from "../../support/shared";
import { runPython, tempDir } from "../support";

test("reads every dtype of a file written by numpy", { skip: skipUnlessPython("numpy", "python3-numpy") }, () => {
  const dir = tempDir("st");
  try {
    const file = path.join(dir, "all.safetensors");
    const expect = JSON.parse(runPython("make_safetensors.py", [file]));
    const st = new SafetensorsFile(file);
    for (const [name, values] of Object.entries(expect.values as Record<string, number[]>)) {
      assert.deepEqual(st.info(name).shape, expect.shapes[name], name);
      const got = Array.from(st.readFloat32(name));
      // float32 of the exact value (integers beyond 2^24 round like Math.fround).
      assert.deepEqual(got, values.map((v) => Math.fround(v)), name);
    }
    assert.equal(st.readRaw("i64").data[3], 2n ** 40n);
    assert.equal(st.readRaw("bf16").dtype, "BF16");
    st.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("half-precision conversions round to nearest even and widen exactly (hand-checked values)", () => {
  const x = new Float32Array([1, -2, 65504, 65520, 1 / 3, 2 ** -24, 2 ** -25, 2 ** -26, NaN]);
  const h = f32ToF16(x);
  assert.deepEqual(Array.from(h.slice(0, 8)), [0x3c00, 0xc000, 0x7bff, 0x7c00, 0x3555, 0x0001, 0x0000, 0x0000]);
  assert.ok(Number.isNaN(f16ToF32(h)[8]));
  const b = f32ToBf16(new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -3.140625]));
  assert.deepEqual(Array.from(b), [0x3f80, 0x3f80, 0x3f82, 0xc049]); // ties go to even
  assert.deepEqual(Array.from(bf16ToF32(b)), [1, 1, 1 + 2 ** -6, -3.140625]);
});

test("write then read back (F32, BF16, I32), metadata, 8-byte aligned data", () => {
  const dir = tempDir("st");
  try {
    const file = path.join(dir, "w.safetensors");
    const a = new Float32Array([1.5, -2, 3.25, 4, 5, 6]);
    writeSafetensors(file, { a: { dtype: "F32", shape: [2, 3], data: a }, b: { dtype: "BF16", shape: [6], data: a }, c: { dtype: "I32", shape: [2], data: new Int32Array([-7, 9]) } }, { format: "pt" });
    const st = new SafetensorsFile(file);
    assert.deepEqual(Array.from(st.readFloat32("a")), Array.from(a));
    assert.deepEqual(Array.from(st.readFloat32("b")), Array.from(a));
    assert.deepEqual(Array.from(st.readRaw("c").data as Int32Array), [-7, 9]);
    assert.equal(st.metadata.format, "pt");
    st.close();
    assert.equal(Number(fs.readFileSync(file).readBigUInt64LE(0)) % 8, 0);
    assert.deepEqual(fs.readdirSync(dir), ["w.safetensors"], "no temporary files left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function rawFile(file: string, header: object, dataBytes: number): void {
  const text = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  fs.writeFileSync(file, Buffer.concat([len, text, Buffer.alloc(dataBytes)]));
}

test("invalid headers are rejected with the file and tensor named", () => {
  const dir = tempDir("st");
  try {
    const f = path.join(dir, "bad.safetensors");
    const cases: [object, number, RegExp][] = [
      [{ w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 12] } }, 12, /bad\.safetensors: tensor "w": shape \[2,2\] × F32 needs 16 bytes/],
      [{ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 4, /tensor "w": data_offsets \[0, 8\] are outside/],
      [{ w: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, 8, /tensor "w": data starts at byte 4, expected 0/],
      [{ w: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, 8, /data section has 8 bytes but the tensors cover 4/],
      [{ w: { dtype: "Q4", shape: [1], data_offsets: [0, 4] } }, 4, /tensor "w": unsupported dtype "Q4"/],
      [{ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4, /tensor "w": shape \[-1\]/],
    ];
    for (const [header, bytes, re] of cases) {
      rawFile(f, header, bytes);
      assert.throws(() => new SafetensorsFile(f), re);
    }
    fs.writeFileSync(f, Buffer.from([1, 2, 3]));
    assert.throws(() => new SafetensorsFile(f), /not a safetensors file/);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(10n ** 12n);
    fs.writeFileSync(f, len);
    assert.throws(() => new SafetensorsFile(f), /header length .* is impossible/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a sharded checkpoint is read through its index; a wrong index is reported", () => {
  const dir = tempDir("st");
  try {
    writeSafetensors(path.join(dir, "model-00001-of-00002.safetensors"), { x: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) } });
    writeSafetensors(path.join(dir, "model-00002-of-00002.safetensors"), { y: { dtype: "F16", shape: [1], data: new Float32Array([0.5]) } });
    const index = path.join(dir, "model.safetensors.index.json");
    fs.writeFileSync(index, JSON.stringify({ metadata: {}, weight_map: { x: "model-00001-of-00002.safetensors", y: "model-00002-of-00002.safetensors" } }));
    const ck = new Checkpoint(dir);
    assert.deepEqual(ck.names().sort(), ["x", "y"]);
    assert.deepEqual(Array.from(ck.readFloat32("x")), [1, 2]);
    assert.deepEqual(Array.from(ck.readFloat32("y")), [0.5]);
    assert.throws(() => ck.readFloat32("z"), /no tensor named "z"/);
    ck.close();
    fs.writeFileSync(index, JSON.stringify({ weight_map: { x: "model-00002-of-00002.safetensors" } }));
    assert.throws(() => new Checkpoint(dir), /tensor "x" is listed in model-00002-of-00002.safetensors but that file does not contain it/);
    fs.rmSync(index);
    assert.throws(() => new Checkpoint(dir), /no model.safetensors or model.safetensors.index.json/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a tensor beyond 4 GiB in a (sparse) 5 GB file is read by offset", () => {
  const dir = tempDir("st");
  try {
    const file = path.join(dir, "big.safetensors");
    const pad = 5_000_000_000;
    const header = Buffer.from(JSON.stringify({ pad: { dtype: "U8", shape: [pad], data_offsets: [0, pad] }, w: { dtype: "F32", shape: [3], data_offsets: [pad, pad + 12] } }).padEnd(256, " "));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const fd = fs.openSync(file, "w");
    fs.writeSync(fd, Buffer.concat([len, header]));
    fs.writeSync(fd, Buffer.from(new Float32Array([1.25, -7, 3e8]).buffer), 0, 12, 8 + header.length + pad);
    fs.closeSync(fd);
    const st = new SafetensorsFile(file);
    assert.deepEqual(Array.from(st.readFloat32("w")), [1.25, -7, 3e8]);
    st.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
