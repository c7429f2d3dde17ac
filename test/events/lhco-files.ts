/**
 * Test helpers: raw HDF5 files in a temp folder (bypassing the checked writer, to make bad
 * files), and a Python (pandas + PyTables) reference reader.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { h5wasm } from "../../lib/events/hdf5";
import { SYSTEM_PYTHON } from "../support/shared";

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-lhco-"));
}

/** Writes /df/block0_values with the given shape and values, uncompressed, no pandas attributes. */
export async function writeRawValues(file: string, values: Float64Array, shape: number[], name = "df/block0_values"): Promise<void> {
  const h5 = await h5wasm();
  const f = new h5.File(file, "w");
  const [group, ds] = name.split("/");
  f.create_group(group).create_dataset({ name: ds, data: values, shape, dtype: "<d" });
  f.close();
}

/** A row of 2101 values with the given particles (pT, eta, phi triples) and label. */
export function row(particles: number[][], label: number, nCol = 2101): Float64Array {
  const r = new Float64Array(nCol);
  particles.forEach((p, i) => r.set(p, 3 * i));
  if (nCol === 2101) r[2100] = label;
  return r;
}

/** Runs a Python snippet with Debian's python; returns its stdout parsed as JSON. */
export function python(code: string): unknown {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", code], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
