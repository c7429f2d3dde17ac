/**
 * Streaming reader for LHCO HDF5 files as published: pandas "fixed" layout, key `df`, values in
 * `/df/block0_values` with shape (N, 2101) float64 (R&D, last column the 0/1 label) or (N, 2100)
 * (black box, no label), each row 700 x (pT, eta, phi) zero-padded. Rows are read by hyperslab
 * in chunks, so a file of any size streams in constant memory.
 */
import * as fs from "node:fs";
import { Event, LHCO_COLUMNS_PER_PARTICLE, LHCO_MAX_PARTICLES } from "./event";
import { h5wasm, H5Dataset, H5File, H5Module, hdf5EndOfFile } from "./hdf5";
import { readMasterKey } from "./masterkey";

/** Columns of a row without label (700 x 3). */
export const LHCO_PARTICLE_COLUMNS = LHCO_MAX_PARTICLES * LHCO_COLUMNS_PER_PARTICLE;
/**
 * Rows per hyperslab read, at most (~4.3 MB of float64 at 2101 columns), rounded down to whole
 * HDF5 chunks: every read opens the dataset afresh (h5wasm), so a chunk cut by two reads would be
 * decompressed twice.
 */
const READ_BLOCK_ROWS = 256;
/** Chunks up to this many rows are read whole (17 MB at 2101 columns); larger ones are cut. */
const MAX_READ_ROWS = 1024;
/** HDF5 path of the values table. */
export const LHCO_VALUES_PATH = "df/block0_values";

export interface LHCOFileInfo {
  path: string;
  nEvents: number;
  /** 2101 (with label column) or 2100 (black box). */
  nColumns: number;
  /** True when events carry labels: a label column, or a master key. */
  hasLabels: boolean;
}

export interface LHCOFile {
  info: LHCOFileInfo;
  /** Streams [start, stop) in chunks of chunkSize rows (default 1000), never loading the whole file. */
  chunks(opts?: { start?: number; stop?: number; chunkSize?: number }): Generator<Event[]>;
  read(start: number, stop: number): Event[];
  close(): void;
}

/** Bad LHCO content, located by file, row (0-based) and column (0-based) when known. */
export class LHCOFormatError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly row?: number,
    readonly column?: number,
  ) {
    super(`${file}: ${row !== undefined ? `row ${row}: ` : ""}${column !== undefined ? `column ${column} (${columnName(column)}): ` : ""}${message}`);
    this.name = "LHCOFormatError";
  }
}

/** "pT of particle 3", "label", ... for error messages. */
export function columnName(column: number): string {
  if (column >= LHCO_PARTICLE_COLUMNS) return "label";
  const what = ["pT", "eta", "phi"][column % LHCO_COLUMNS_PER_PARTICLE];
  return `${what} of particle ${Math.floor(column / LHCO_COLUMNS_PER_PARTICLE)}`;
}

export async function openLHCO(file: string, opts: { masterkey?: string } = {}): Promise<LHCOFile> {
  if (!fs.existsSync(file)) throw new LHCOFormatError(file, "no such file");
  let eof: number | undefined;
  try {
    eof = hdf5EndOfFile(file);
  } catch (err) {
    // e.g. EISDIR for a folder, whose message does not name the path.
    throw new LHCOFormatError(file, `cannot read (${(err as Error).message})`);
  }
  if (eof === undefined) throw new LHCOFormatError(file, "not an HDF5 file (no HDF5 signature at offset 0)");
  const size = fs.statSync(file).size;
  if (size < eof) throw new LHCOFormatError(file, `truncated or corrupt: ${size} bytes, but its HDF5 superblock records ${eof}`);
  const h5 = await h5wasm();
  let f: H5File;
  try {
    f = new h5.File(file, "r");
  } catch (err) {
    throw new LHCOFormatError(file, `not a readable HDF5 file (truncated or corrupt?): ${(err as Error).message}`);
  }
  try {
    let ds: unknown;
    let shape: number[] | null;
    let dtype: unknown;
    try {
      ds = f.get(LHCO_VALUES_PATH);
      shape = ds instanceof h5.Dataset ? ds.shape : null;
      dtype = ds instanceof h5.Dataset ? ds.dtype : null;
    } catch (err) {
      throw new LHCOFormatError(file, `cannot read the HDF5 metadata (truncated or corrupt?): ${(err as Error).message}`);
    }
    if (!ds || !(ds instanceof h5.Dataset)) {
      throw new LHCOFormatError(file, `no dataset /${LHCO_VALUES_PATH} (expected a pandas "fixed" table under key "df")`);
    }
    if (!shape || shape.length !== 2) {
      throw new LHCOFormatError(file, `/${LHCO_VALUES_PATH} has shape ${JSON.stringify(shape)}, expected (N, 2101) or (N, 2100)`);
    }
    const [nEvents, nColumns] = shape;
    if (nColumns !== LHCO_PARTICLE_COLUMNS && nColumns !== LHCO_PARTICLE_COLUMNS + 1) {
      throw new LHCOFormatError(file, `/${LHCO_VALUES_PATH} has ${nColumns} columns, expected 2101 (with label) or 2100 (black box)`);
    }
    // A chunked HDF5 dataset may claim rows it never stored (they read back as fill values), so a
    // 20 kB file can declare 2^40 events and stream zeros for days. A row (2100 float64 = 16.8 kB)
    // never compresses below one byte, so more rows than file bytes means a corrupt or hostile file.
    if (nEvents > size) {
      throw new LHCOFormatError(file, `/${LHCO_VALUES_PATH} claims ${nEvents} rows, impossible in a ${size}-byte file (each row takes at least 1 byte)`);
    }
    if (dtype !== "<d") {
      throw new LHCOFormatError(file, `/${LHCO_VALUES_PATH} has dtype ${JSON.stringify(dtype)}, expected little-endian float64 "<d"`);
    }
    let key: Uint8Array | undefined;
    if (opts.masterkey) {
      key = readMasterKey(opts.masterkey);
      if (key.length !== nEvents) {
        throw new Error(`${opts.masterkey}: master key has ${key.length} labels but ${file} has ${nEvents} events`);
      }
    }
    const info: LHCOFileInfo = { path: file, nEvents, nColumns, hasLabels: nColumns === LHCO_PARTICLE_COLUMNS + 1 || key !== undefined };
    return new Reader(h5, f, ds, info, key);
  } catch (err) {
    f.close();
    throw err;
  }
}

class Reader implements LHCOFile {
  private open = true;
  /** Rows of one read: whole HDF5 chunks, about READ_BLOCK_ROWS. */
  private readonly blockRows: number;
  /** Read buffer in the wasm heap (float64, blockRows x nColumns), allocated on first read. */
  private buffer = 0;
  /** Decoded particles of one read, [pt(n), eta(n), phi(n)] per row, copied out once per read. */
  private slab: Float64Array | undefined;
  constructor(
    private readonly h5: H5Module,
    private readonly f: H5File,
    private readonly ds: H5Dataset,
    readonly info: LHCOFileInfo,
    private readonly key: Uint8Array | undefined,
  ) {
    const chunkRows = ds.metadata.chunks?.[0] ?? 1;
    this.blockRows =
      chunkRows > MAX_READ_ROWS ? READ_BLOCK_ROWS : chunkRows >= READ_BLOCK_ROWS ? chunkRows : READ_BLOCK_ROWS - (READ_BLOCK_ROWS % chunkRows);
  }

  *chunks(opts: { start?: number; stop?: number; chunkSize?: number } = {}): Generator<Event[]> {
    const { start, stop } = this.range(opts.start ?? 0, opts.stop ?? this.info.nEvents);
    const size = opts.chunkSize ?? 1000;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunkSize must be a positive integer, got ${size}`);
    for (let a = start; a < stop; a += size) yield this.read(a, Math.min(stop, a + size));
  }

  read(start: number, stop: number): Event[] {
    if (!this.open) throw new Error(`${this.info.path}: read after close`);
    ({ start, stop } = this.range(start, stop));
    const out: Event[] = [];
    // Bounded hyperslabs ending on chunk boundaries, so that a long range never needs one huge
    // (rows x 2101) buffer and no chunk is decompressed twice.
    const B = this.blockRows;
    for (let a = start; a < stop; ) {
      const b = Math.min(stop, (Math.floor(a / B) + 1) * B);
      this.readBlock(a, b, out);
      a = b;
    }
    return out;
  }

  /**
   * Rows [start, stop) through h5wasm's low-level read into a buffer kept in the wasm heap and
   * decoded in place: Dataset.slice would malloc, copy out and free ~17 kB per row, which cost
   * more than the HDF5 read and the Blosc decompression together.
   */
  private readBlock(start: number, stop: number, out: Event[]): void {
    const M = this.h5.Module;
    const nCol = this.info.nColumns;
    const n = (stop - start) * nCol;
    if (this.buffer === 0) {
      this.buffer = M._malloc(this.blockRows * nCol * 8);
      if (this.buffer === 0) throw new Error(`${this.info.path}: cannot allocate a ${this.blockRows}-row read buffer`);
    }
    let status: number;
    try {
      status = M.get_dataset_data(this.f.file_id, this.ds.path, [BigInt(stop - start), BigInt(nCol)], [BigInt(start), 0n], [1n, 1n], BigInt(this.buffer));
    } catch (err) {
      throw new LHCOFormatError(this.info.path, `rows ${start}..${stop - 1}: cannot read (${(err as Error).message}); file truncated or corrupt?`);
    }
    if (status < 0) throw new LHCOFormatError(this.info.path, `rows ${start}..${stop - 1}: cannot read (HDF5 status ${status}); file truncated or corrupt?`);
    // A view made after the read: the heap may have grown (and moved) during it.
    const values = new Float64Array(M.HEAPU8.buffer, this.buffer, n);
    // One array for the whole read, each event's pt, eta and phi views into it: three typed-array
    // allocations per event cost more than decoding its 2100 values.
    const slab = (this.slab ??= new Float64Array(this.blockRows * LHCO_PARTICLE_COLUMNS));
    const counts = new Int32Array(stop - start);
    let used = 0;
    for (let r = 0; r < stop - start; r++) {
      counts[r] = decodeParticles(values, r * nCol, slab, used, this.info.path, start + r);
      used += 3 * counts[r];
    }
    const block = slab.slice(0, used);
    let at = 0;
    for (let r = 0; r < stop - start; r++) {
      const k = counts[r];
      out.push({
        id: start + r,
        label: this.label(values, r * nCol, start + r),
        pt: block.subarray(at, at + k),
        eta: block.subarray(at + k, at + 2 * k),
        phi: block.subarray(at + 2 * k, at + 3 * k),
      });
      at += 3 * k;
    }
  }

  close(): void {
    if (this.open) {
      if (this.buffer !== 0) this.h5.Module._free(this.buffer);
      this.buffer = 0;
      this.f.close();
    }
    this.open = false;
  }

  private range(start: number, stop: number): { start: number; stop: number } {
    const n = this.info.nEvents;
    if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > n || start > stop) {
      throw new RangeError(`${this.info.path}: row range [${start}, ${stop}) is outside [0, ${n})`);
    }
    return { start, stop };
  }

  /** The label of the row at `off` in `v`: from the master key, the label column, or none. */
  private label(v: Float64Array, off: number, row: number): 0 | 1 | null {
    if (this.key) return this.key[row] as 0 | 1;
    if (this.info.nColumns > LHCO_PARTICLE_COLUMNS) {
      const y = v[off + LHCO_PARTICLE_COLUMNS];
      if (y !== 0 && y !== 1) throw new LHCOFormatError(this.info.path, `label must be 0 or 1, got ${y}`, row, LHCO_PARTICLE_COLUMNS);
      return y;
    }
    return null;
  }
}

const SCRATCH_ETA = new Float64Array(LHCO_MAX_PARTICLES);
const SCRATCH_PHI = new Float64Array(LHCO_MAX_PARTICLES);

/**
 * Copies the non-padding particles of the row at `off` to `dst` from `at` as [pt(n), eta(n),
 * phi(n)] and returns their count n. Hot loop (2100 values a row): finiteness is tested as
 * x - x === 0 (false for NaN, +-inf) on the three values of a slot at once; the slow path only
 * locates the culprit for the error.
 */
function decodeParticles(v: Float64Array, off: number, dst: Float64Array, at: number, file: string, row: number): number {
  let n = 0;
  for (let i = 0; i < LHCO_MAX_PARTICLES; i++) {
    const o = off + 3 * i;
    const pt = v[o];
    const eta = v[o + 1];
    const phi = v[o + 2];
    if (pt - pt + (eta - eta) + (phi - phi) !== 0 || pt < 0) badSlot(v, off, i, file, row);
    if (pt > 0) {
      dst[at + n] = pt;
      SCRATCH_ETA[n] = eta;
      SCRATCH_PHI[n] = phi;
      n++;
    }
  }
  for (let k = 0; k < n; k++) dst[at + n + k] = SCRATCH_ETA[k];
  for (let k = 0; k < n; k++) dst[at + 2 * n + k] = SCRATCH_PHI[k];
  return n;
}

function badSlot(v: Float64Array, off: number, slot: number, file: string, row: number): never {
  for (let k = 0; k < 3; k++) {
    const c = 3 * slot + k;
    const x = v[off + c];
    if (!Number.isFinite(x)) throw new LHCOFormatError(file, `value ${x} is not finite`, row, c);
  }
  throw new LHCOFormatError(file, `negative pT ${v[off + 3 * slot]}`, row, 3 * slot);
}
