import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { encodeNpy, float64, int64, NdArray, parseNpy, readNpy, writeNpy } from "../../lib/analysis/npy";
import { SYSTEM_PYTHON, skipUnlessPython } from "../support/shared";
import { tempDir } from "./fixture";

const dir = tempDir("npy");

function py(code: string): string {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", code], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("NumPy reads what writeNpy writes (every dtype, 1-D and 3-D)", { skip: skipUnlessPython("numpy", "python3-numpy") }, () => {
  const arrays: Record<string, NdArray> = {
    f8: float64([2, 3, 2], Float64Array.from([1.5, -2, NaN, Infinity, 1e-300, 3, 4, 5, 6, 7, 8, 9.25])),
    f4: { dtype: "f4", shape: [3], data: Float32Array.from([0.5, -1, 2]) },
    i8: int64([4], [-1, 0, 2 ** 40, 7]),
    i4: { dtype: "i4", shape: [2, 2], data: Int32Array.from([1, -2, 3, -4]) },
    u1: { dtype: "u1", shape: [3], data: Uint8Array.from([0, 255, 7]) },
  };
  for (const [name, a] of Object.entries(arrays)) writeNpy(path.join(dir, `${name}.npy`), a);
  const out = py(`
import numpy as np, json
r = {}
for n in ["f8","f4","i8","i4","u1"]:
    a = np.load("${dir}/" + n + ".npy")
    r[n] = [a.dtype.str, list(a.shape), [None if x != x else (str(x) if abs(x) == float("inf") else float(x)) for x in a.ravel().tolist()]]
print(json.dumps(r))`);
  const r = JSON.parse(out);
  assert.deepEqual(r.f8, ["<f8", [2, 3, 2], [1.5, -2, null, "inf", 1e-300, 3, 4, 5, 6, 7, 8, 9.25]]);
  assert.deepEqual(r.f4, ["<f4", [3], [0.5, -1, 2]]);
  assert.deepEqual(r.i8, ["<i8", [4], [-1, 0, 2 ** 40, 7]]);
  assert.deepEqual(r.i4, ["<i4", [2, 2], [1, -2, 3, -4]]);
  assert.deepEqual(r.u1, ["|u1", [3], [0, 255, 7]]);
});

test("readNpy reads what NumPy writes, format 1.0 and 2.0, scalar and empty shapes", { skip: skipUnlessPython("numpy", "python3-numpy") }, () => {
  py(`
import numpy as np
np.save("${dir}/np_f8.npy", np.arange(12, dtype="<f8").reshape(3, 4) / 8)
np.save("${dir}/np_i8.npy", np.array([-5, 3], dtype="<i8"))
np.save("${dir}/np_scalar.npy", np.float64(2.5))
np.save("${dir}/np_empty.npy", np.zeros((0, 3)))
with open("${dir}/np_v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([[1, 2], [3, 4]], dtype="<i4"), version=(2, 0))
np.save("${dir}/np_fortran.npy", np.asfortranarray(np.ones((2, 3))))`);
  const a = readNpy(path.join(dir, "np_f8.npy"));
  assert.deepEqual([a.dtype, a.shape, Array.from(a.data as Float64Array)], ["f8", [3, 4], Array.from({ length: 12 }, (_, i) => i / 8)]);
  const b = readNpy(path.join(dir, "np_i8.npy"));
  assert.deepEqual([b.dtype, b.shape, Array.from(b.data as BigInt64Array)], ["i8", [2], [-5n, 3n]]);
  const s = readNpy(path.join(dir, "np_scalar.npy"));
  assert.deepEqual([s.shape, Array.from(s.data as Float64Array)], [[], [2.5]]);
  assert.deepEqual(readNpy(path.join(dir, "np_empty.npy")).shape, [0, 3]);
  const v2 = readNpy(path.join(dir, "np_v2.npy"));
  assert.deepEqual([v2.dtype, v2.shape, Array.from(v2.data as Int32Array)], ["i4", [2, 2], [1, 2, 3, 4]]);
  assert.throws(() => readNpy(path.join(dir, "np_fortran.npy")), /Fortran-order/);
});

test("header is padded to a multiple of 64 bytes and ends with a newline", () => {
  const bytes = encodeNpy(float64([5]));
  const hlen = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + hlen) % 64, 0);
  assert.equal(bytes[10 + hlen - 1], 0x0a);
  assert.equal(bytes.length, 10 + hlen + 40);
});

test("bad files are rejected with the file name", () => {
  const f = path.join(dir, "bad.npy");
  fs.writeFileSync(f, "not numpy at all");
  assert.throws(() => readNpy(f), new RegExp(`${f}: not a .npy file`));
  const good = encodeNpy(float64([4], Float64Array.from([1, 2, 3, 4])));
  assert.throws(() => parseNpy(good.subarray(0, good.length - 8), "cut.npy"), /cut.npy: truncated data/);
  const text = Buffer.from(good).toString("latin1").replace("<f8", ">f8");
  assert.throws(() => parseNpy(Buffer.from(text, "latin1"), "be.npy"), /be.npy: dtype >f8 not supported/);
});
