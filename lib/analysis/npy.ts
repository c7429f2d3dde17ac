/**
 * NumPy `.npy` files (format versions 1.0 and 2.0): the array format the analysis steps exchange.
 * Little-endian float64/float32/int64/int32/uint8 ('<f8' '<f4' '<i8' '<i4' '|u1'), C order only.
 * Layout: magic "\x93NUMPY", major, minor, header length (u16 in v1, u32 in v2), an ASCII Python
 * dict literal {'descr': .., 'fortran_order': .., 'shape': (..), } padded with spaces to a multiple
 * of 64 bytes and ended by '\n', then the raw data.
 */
import * as fs from "node:fs";
import { writeFileAtomic } from "../util/atomic";

export type DType = "f8" | "f4" | "i8" | "i4" | "u1";

/** A dense C-order array: `data.length` equals the product of `shape`. int64 data is a BigInt64Array. */
export interface NdArray {
  dtype: DType;
  shape: number[];
  data: Float64Array | Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

const BYTES: Record<DType, number> = { f8: 8, f4: 4, i8: 8, i4: 4, u1: 1 };
const DESCR: Record<DType, string> = { f8: "<f8", f4: "<f4", i8: "<i8", i4: "<i4", u1: "|u1" };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Product of the dimensions (1 for a scalar shape []). */
export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A float64 array of the given shape (zero-filled, or wrapping `data`). */
export function float64(shape: number[], data?: Float64Array): NdArray {
  const n = sizeOf(shape);
  if (data && data.length !== n) throw new Error(`float64: data length ${data.length} != shape ${JSON.stringify(shape)}`);
  return { dtype: "f8", shape, data: data ?? new Float64Array(n) };
}

/** An int64 array from ordinary numbers (each must be an integer). */
export function int64(shape: number[], values: ArrayLike<number>): NdArray {
  const n = sizeOf(shape);
  if (values.length !== n) throw new Error(`int64: ${values.length} values for shape ${JSON.stringify(shape)}`);
  const data = new BigInt64Array(n);
  for (let i = 0; i < n; i++) data[i] = BigInt(values[i]);
  return { dtype: "i8", shape, data };
}

/** Element i as a JavaScript number (int64 beyond 2^53 loses precision). */
export function at(a: NdArray, i: number): number {
  return Number(a.data[i]);
}

/** All elements as float64 numbers. */
export function toFloat64(a: NdArray): Float64Array {
  if (a.data instanceof Float64Array) return a.data;
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(a.data[i]);
  return out;
}

export function isIntegerType(d: DType): boolean {
  return d === "i8" || d === "i4" || d === "u1";
}

/** Parses a .npy file's bytes; `name` labels errors. */
export function parseNpy(buf: Uint8Array, name = "array"): NdArray {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw new Error(`${name}: not a .npy file (bad magic)`);
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else throw new Error(`${name}: unsupported .npy version ${major}.${buf[7]}`);
  const header = Buffer.from(buf.buffer, buf.byteOffset + offset, headerLen).toString("latin1");
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === "True") throw new Error(`${name}: Fortran-order arrays are not supported (write C order)`);
  const dtype = (Object.keys(DESCR) as DType[]).find((d) => DESCR[d] === descr || (d === "u1" && descr === "<u1"));
  if (!dtype) throw new Error(`${name}: dtype ${descr} not supported (use <f8, <f4, <i8, <i4 or |u1)`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const v = Number(s.replace(/L$/, ""));
      if (!Number.isInteger(v) || v < 0) throw new Error(`${name}: bad dimension ${JSON.stringify(s)} in shape`);
      return v;
    });
  const start = offset + headerLen;
  const n = sizeOf(shape);
  const bytes = n * BYTES[dtype];
  if (buf.length - start < bytes) {
    throw new Error(`${name}: truncated data: shape ${JSON.stringify(shape)} needs ${bytes} bytes, file has ${buf.length - start}`);
  }
  // Copy into a fresh, aligned buffer (the data offset need not be a multiple of 8).
  const raw = new Uint8Array(bytes);
  raw.set(buf.subarray(start, start + bytes));
  const data =
    dtype === "f8" ? new Float64Array(raw.buffer)
    : dtype === "f4" ? new Float32Array(raw.buffer)
    : dtype === "i8" ? new BigInt64Array(raw.buffer)
    : dtype === "i4" ? new Int32Array(raw.buffer)
    : raw;
  return { dtype, shape, data };
}

/** Reads a .npy file. */
export function readNpy(path: string): NdArray {
  return parseNpy(fs.readFileSync(path), path);
}

/** The bytes of a version 1.0 .npy file (2.0 when the header exceeds 65535 bytes). */
export function encodeNpy(a: NdArray): Uint8Array {
  if (a.data.length !== sizeOf(a.shape)) {
    throw new Error(`encodeNpy: ${a.data.length} elements for shape ${JSON.stringify(a.shape)}`);
  }
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(", ")})`;
  let dict = `{'descr': '${DESCR[a.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const v2 = dict.length + 12 > 65535;
  const pre = v2 ? 12 : 10;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, " ") + "\n";
  const body = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = v2 ? 2 : 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v2) view.setUint32(8, dict.length, true);
  else view.setUint16(8, dict.length, true);
  out.set(Buffer.from(dict, "latin1"), pre);
  out.set(body, total);
  return out;
}

/** Writes a .npy file atomically. */
export function writeNpy(path: string, a: NdArray): void {
  writeFileAtomic(path, encodeNpy(a));
}
