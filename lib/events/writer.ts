/**
 * Writes events in the published LHCO layout (pandas "fixed" frame under key `df`, PyTables
 * attributes copied from the real R&D file) so that both this package's reader and
 * `pandas.read_hdf(path, "df")` read it. Rows are appended to a resizable, chunked,
 * Blosc-compressed dataset in batches, into a temporary file renamed into place at the end.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Event, LHCO_MAX_PARTICLES } from "./event";
import { BLOSC_FILTER_ID, h5wasm, H5Dataset, H5Group } from "./hdf5";
import { LHCO_PARTICLE_COLUMNS } from "./reader";

/** Rows per HDF5 chunk: 32 x 2101 x 8 B = 538 kB uncompressed, under h5wasm's 1 MB chunk cache. */
const ROWS_PER_CHUNK = 32;
/** Rows buffered in memory between appends (~17 MB). */
const ROWS_PER_BATCH = 1024;
/** Blosc options after the 4 values the filter fills in itself: level 5, byte shuffle, blosclz. */
const BLOSC_OPTS = [0, 0, 0, 0, 5, 1, 0];

let tmpCounter = 0;

/** Writes events in LHCO layout, streaming (resizable chunked dataset), atomically. */
export async function writeLHCO(file: string, events: Iterable<Event>, opts: { withLabels: boolean }): Promise<{ nEvents: number }> {
  const h5 = await h5wasm();
  const nCol = LHCO_PARTICLE_COLUMNS + (opts.withLabels ? 1 : 0);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${tmpCounter++}.tmp`);
  const f = new h5.File(tmp, "w");
  let closed = false;
  try {
    setPyTablesAttrs(f, "GROUP", { PYTABLES_FORMAT_VERSION: "2.1" });
    const df = f.create_group("df");
    setPyTablesAttrs(df, "GROUP", {});
    const values = df.create_dataset({
      name: "block0_values",
      data: new Float64Array(0),
      shape: [0, nCol],
      dtype: "<d",
      maxshape: [null, nCol],
      chunks: [ROWS_PER_CHUNK, nCol],
      compression: BLOSC_FILTER_ID,
      compression_opts: BLOSC_OPTS,
    });
    const buf = new Float64Array(ROWS_PER_BATCH * nCol);
    let nBuf = 0;
    let n = 0;
    const flush = (): void => {
      if (nBuf === 0) return;
      values.resize([n + nBuf, nCol]);
      values.write_slice([[n, n + nBuf], []], buf.subarray(0, nBuf * nCol));
      n += nBuf;
      nBuf = 0;
      buf.fill(0);
    };
    for (const ev of events) {
      encodeRow(ev, buf, nBuf * nCol, n + nBuf, opts.withLabels, file);
      if (++nBuf === ROWS_PER_BATCH) flush();
    }
    flush();
    setPyTablesAttrs(values, "CARRAY", { transposed: true });
    // Index datasets: columns 0..nCol-1 (axis0 and block0_items), rows 0..n-1 (axis1).
    const cols = BigInt64Array.from({ length: nCol }, (_, i) => BigInt(i));
    const rows = BigInt64Array.from({ length: n }, (_, i) => BigInt(i));
    writeIndex(df, "axis0", cols);
    writeIndex(df, "axis1", rows);
    writeIndex(df, "block0_items", cols);
    setGroupFrameAttrs(df);
    f.close();
    closed = true;
    fs.renameSync(tmp, file);
    return { nEvents: n };
  } catch (err) {
    if (!closed) f.close();
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** One event into row `row` of the buffer at offset `off` (the buffer is zeroed beforehand). */
function encodeRow(ev: Event, buf: Float64Array, off: number, row: number, withLabel: boolean, file: string): void {
  const n = ev.pt.length;
  if (n > LHCO_MAX_PARTICLES) throw new Error(`${file}: event ${ev.id} (row ${row}) has ${n} particles, the LHCO layout holds ${LHCO_MAX_PARTICLES}`);
  if (ev.eta.length !== n || ev.phi.length !== n) throw new Error(`${file}: event ${ev.id} (row ${row}): pt/eta/phi lengths differ`);
  for (let i = 0; i < n; i++) {
    const pt = ev.pt[i];
    if (!(pt > 0) || !Number.isFinite(pt) || !Number.isFinite(ev.eta[i]) || !Number.isFinite(ev.phi[i])) {
      throw new Error(`${file}: event ${ev.id} (row ${row}) particle ${i}: pT must be > 0 and eta, phi finite (got ${pt}, ${ev.eta[i]}, ${ev.phi[i]})`);
    }
    buf[off + 3 * i] = pt;
    buf[off + 3 * i + 1] = ev.eta[i];
    buf[off + 3 * i + 2] = ev.phi[i];
  }
  if (withLabel) {
    if (ev.label !== 0 && ev.label !== 1) throw new Error(`${file}: event ${ev.id} (row ${row}) has no 0/1 label but labels were requested`);
    buf[off + LHCO_PARTICLE_COLUMNS] = ev.label;
  }
}

type Attrs = Record<string, string | number | boolean>;

/** Fixed-length byte strings and int64/bool scalars, as PyTables writes them. */
function setAttrs(obj: H5Group | H5Dataset, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "string") obj.create_attribute(k, v, [], `S${Math.max(1, v.length)}`);
    else if (typeof v === "boolean") obj.create_attribute(k, new Uint8Array([v ? 1 : 0]), [], "<B");
    else obj.create_attribute(k, new BigInt64Array([BigInt(v)]), [], "<q");
  }
}

function setPyTablesAttrs(obj: H5Group | H5Dataset, cls: string, extra: Attrs): void {
  setAttrs(obj, { CLASS: cls, VERSION: cls === "GROUP" ? "1.0" : "1.1", TITLE: "", ...extra });
}

function writeIndex(df: H5Group, name: string, data: BigInt64Array): void {
  const ds = df.create_dataset({ name, data, shape: [data.length], dtype: "<q" });
  setPyTablesAttrs(ds, "ARRAY", { kind: "integer", name: "N.", transposed: true });
}

function setGroupFrameAttrs(df: H5Group): void {
  setAttrs(df, {
    pandas_type: "frame",
    pandas_version: "0.15.2",
    encoding: "UTF-8",
    errors: "strict",
    ndim: 2,
    nblocks: 1,
    axis0_variety: "regular",
    axis1_variety: "regular",
    block0_items_variety: "regular",
  });
}
