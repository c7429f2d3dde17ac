/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`,
 * then the tensors' bytes (offsets relative to the end of the header). Tensors are read one at a
 * time by file offset, so checkpoints far beyond 2 GB load without ever being read whole; sharded
 * checkpoints (`model.safetensors.index.json`) are read through `Checkpoint`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AtomicWriter } from "../../util/atomic";
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from "./half";
import { showJson } from "../../util/show-json";

export type Dtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

/** Bytes per element of each supported dtype. */
export const DTYPE_BYTES: Record<Dtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1 };

export type TypedArray = Float64Array | Float32Array | Uint16Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Int16Array | Int8Array | Uint8Array;

/** One tensor's header entry; `begin`/`end` are absolute byte positions in `file`. */
export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  file: string;
  begin: number;
  end: number;
}

/** A tensor as it sits in the file: F16/BF16 as Uint16Array bit patterns, others in their own type. */
export interface RawTensor {
  dtype: Dtype;
  shape: number[];
  data: TypedArray;
}

const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit

/** One open `.safetensors` file (header parsed and validated; data read on demand). */
export class SafetensorsFile {
  readonly path: string;
  readonly tensors = new Map<string, TensorInfo>();
  readonly metadata: Record<string, string> = {};
  private fd: number | undefined;

  constructor(file: string) {
    this.path = file;
    this.fd = fs.openSync(file, "r");
    try {
      this.parseHeader();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  private parseHeader(): void {
    const file = this.path;
    const stat = fs.fstatSync(this.fd!);
    // A folder opens fine on Linux, but reading it fails with an EISDIR that does not name it.
    if (!stat.isFile()) throw new Error(`${file}: not a regular file`);
    const size = stat.size;
    if (size < 8) throw new Error(`${file}: not a safetensors file (${size} bytes, shorter than the 8-byte header length)`);
    const lenBuf = this.readBytes(0, 8);
    const n = Number(new DataView(lenBuf.buffer).getBigUint64(0, true));
    if (n > MAX_HEADER || 8 + n > size) throw new Error(`${file}: header length ${n} is impossible for a ${size}-byte file`);
    const text = Buffer.from(this.readBytes(8, n)).toString("utf8");
    if (!text.startsWith("{")) throw new Error(`${file}: header does not start with '{'`);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${file}: header is not valid JSON: ${(err as Error).message}`);
    }
    const dataStart = 8 + n;
    const dataLen = size - dataStart;
    const spans: [number, number, string][] = [];
    for (const [name, v] of Object.entries(header)) {
      if (name === "__metadata__") {
        for (const [k, m] of Object.entries((v ?? {}) as Record<string, unknown>)) {
          if (typeof m !== "string") throw new Error(`${file}: __metadata__.${k} must be a string`);
          this.metadata[k] = m;
        }
        continue;
      }
      const bad = (why: string): never => {
        throw new Error(`${file}: tensor ${JSON.stringify(name)}: ${why}`);
      };
      const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (typeof e !== "object" || e === null) bad("header entry is not an object");
      if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_BYTES)) bad(`unsupported dtype ${showJson(e.dtype)}`);
      const dtype = e.dtype as Dtype;
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`shape ${showJson(e.shape)} is not a list of sizes`);
      const shape = e.shape as number[];
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0)) bad(`data_offsets ${showJson(off)} are not two byte offsets`);
      const [b, en] = off as number[];
      if (b > en || en > dataLen) bad(`data_offsets [${b}, ${en}] are outside the ${dataLen}-byte data section`);
      const want = shape.reduce((a, d) => a * d, 1) * DTYPE_BYTES[dtype];
      if (en - b !== want) bad(`shape ${showJson(shape)} × ${dtype} needs ${want} bytes but data_offsets span ${en - b}`);
      this.tensors.set(name, { name, dtype, shape, file, begin: dataStart + b, end: dataStart + en });
      spans.push([b, en, name]);
    }
    // The spec requires the tensors to tile the data section exactly: no gaps, no overlaps.
    spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let at = 0;
    for (const [b, en, name] of spans) {
      if (b !== at) throw new Error(`${file}: tensor ${JSON.stringify(name)}: data starts at byte ${b}, expected ${at} (tensors must be contiguous, without gaps or overlaps)`);
      at = en;
    }
    if (at !== dataLen) throw new Error(`${file}: the data section has ${dataLen} bytes but the tensors cover ${at}`);
  }

  /** Reads `len` bytes at absolute `pos` into a fresh, 8-byte-aligned buffer (in ≤1 GiB pieces). */
  private readBytes(pos: number, len: number): Uint8Array {
    if (this.fd === undefined) throw new Error(`${this.path}: file is closed`);
    const out = new Uint8Array(new ArrayBuffer(len));
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.fd, out, done, Math.min(len - done, 1 << 30), pos + done);
      if (n <= 0) throw new Error(`${this.path}: unexpected end of file at byte ${pos + done}`);
      done += n;
    }
    return out;
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`${this.path}: no tensor named ${JSON.stringify(name)}`);
    return t;
  }

  /** The tensor in its stored type. */
  readRaw(name: string): RawTensor {
    const t = this.info(name);
    const bytes = this.readBytes(t.begin, t.end - t.begin);
    return { dtype: t.dtype, shape: t.shape, data: viewAs(t.dtype, bytes) };
  }

  /** The tensor converted to float32 (F16/BF16 exactly; integers and F64 by value). */
  readFloat32(name: string): Float32Array {
    return toFloat32(this.readRaw(name));
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function viewAs(dtype: Dtype, b: Uint8Array): TypedArray {
  const buf = b.buffer;
  const n = b.byteLength / DTYPE_BYTES[dtype];
  switch (dtype) {
    case "F64": return new Float64Array(buf, 0, n);
    case "F32": return new Float32Array(buf, 0, n);
    case "F16": case "BF16": case "U16": return new Uint16Array(buf, 0, n);
    case "I64": return new BigInt64Array(buf, 0, n);
    case "U64": return new BigUint64Array(buf, 0, n);
    case "I32": return new Int32Array(buf, 0, n);
    case "U32": return new Uint32Array(buf, 0, n);
    case "I16": return new Int16Array(buf, 0, n);
    case "I8": return new Int8Array(buf, 0, n);
    case "U8": case "BOOL": return new Uint8Array(buf, 0, n);
  }
}

/** Any stored tensor as float32. */
export function toFloat32(t: RawTensor): Float32Array {
  if (t.dtype === "F32") return t.data as Float32Array;
  if (t.dtype === "F16") return f16ToF32(t.data as Uint16Array);
  if (t.dtype === "BF16") return bf16ToF32(t.data as Uint16Array);
  const out = new Float32Array(t.data.length);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  else out.set(t.data as ArrayLike<number>);
  return out;
}

/** A tensor to write: float32 data may be stored as F32, F16 or BF16; other dtypes need their own array type. */
export interface TensorToWrite {
  dtype: Dtype;
  shape: number[];
  data: TypedArray;
}

function bytesFor(name: string, t: TensorToWrite): Uint8Array {
  let data = t.data;
  if (data instanceof Float32Array && t.dtype === "BF16") data = f32ToBf16(data);
  else if (data instanceof Float32Array && t.dtype === "F16") data = f32ToF16(data);
  const want = t.shape.reduce((a, d) => a * d, 1);
  if (data.length !== want) throw new Error(`safetensors: tensor ${JSON.stringify(name)} has ${data.length} values but shape ${JSON.stringify(t.shape)} needs ${want}`);
  if (data.byteLength !== want * DTYPE_BYTES[t.dtype]) throw new Error(`safetensors: tensor ${JSON.stringify(name)}: a ${data.constructor.name} cannot be stored as ${t.dtype}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes a `.safetensors` file atomically; tensors are laid out in name order. */
export function writeSafetensors(file: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  const sizes = names.map((n) => tensors[n].shape.reduce((a, d) => a * d, 1) * DTYPE_BYTES[tensors[n].dtype]);
  names.forEach((n, i) => {
    header[n] = { dtype: tensors[n].dtype, shape: tensors[n].shape, data_offsets: [off, off + sizes[i]] };
    off += sizes[i];
  });
  let text = JSON.stringify(header);
  text += " ".repeat((8 - ((Buffer.byteLength(text) + 8) % 8)) % 8); // align the data section to 8 bytes
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  const w = new AtomicWriter(file);
  try {
    w.write(head);
    w.write(text);
    for (const n of names) w.write(bytesFor(n, tensors[n]));
    w.commit();
  } finally {
    w.abort();
  }
}

/**
 * A checkpoint folder: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json` (`{"weight_map": {name: shard file}}`).
 */
export class Checkpoint {
  readonly dir: string;
  private files = new Map<string, SafetensorsFile>();
  private where = new Map<string, SafetensorsFile>();

  constructor(dir: string, baseName = "model") {
    this.dir = dir;
    const index = path.join(dir, `${baseName}.safetensors.index.json`);
    const single = path.join(dir, `${baseName}.safetensors`);
    try {
      if (fs.existsSync(index)) {
        let map: Record<string, string>;
        try {
          map = (JSON.parse(fs.readFileSync(index, "utf8")) as { weight_map: Record<string, string> }).weight_map;
        } catch (err) {
          throw new Error(`${index}: cannot read the shard index: ${(err as Error).message}`);
        }
        if (!map || typeof map !== "object") throw new Error(`${index}: missing "weight_map"`);
        for (const [name, shard] of Object.entries(map)) {
          // A bare file name in this folder: no path separators, no "."/".." (folders), no NUL (Node throws a TypeError).
          if (typeof shard !== "string" || shard === "" || shard === "." || shard === ".." || /[/\\\0]/.test(shard)) {
            throw new Error(`${index}: weight_map.${name} = ${showJson(shard)} is not a shard file name`);
          }
          let f = this.files.get(shard);
          if (!f) this.files.set(shard, (f = new SafetensorsFile(path.join(dir, shard))));
          if (!f.tensors.has(name)) throw new Error(`${index}: tensor ${JSON.stringify(name)} is listed in ${shard} but that file does not contain it`);
          this.where.set(name, f);
        }
      } else if (fs.existsSync(single)) {
        const f = new SafetensorsFile(single);
        this.files.set(path.basename(single), f);
        for (const name of f.tensors.keys()) this.where.set(name, f);
      } else {
        throw new Error(`${dir}: no ${baseName}.safetensors or ${baseName}.safetensors.index.json`);
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  names(): string[] {
    return [...this.where.keys()];
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  info(name: string): TensorInfo {
    return this.file(name).info(name);
  }

  readRaw(name: string): RawTensor {
    return this.file(name).readRaw(name);
  }

  readFloat32(name: string): Float32Array {
    return this.file(name).readFloat32(name);
  }

  private file(name: string): SafetensorsFile {
    const f = this.where.get(name);
    if (!f) throw new Error(`${this.dir}: checkpoint has no tensor named ${JSON.stringify(name)}`);
    return f;
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
    this.where.clear();
  }
}
