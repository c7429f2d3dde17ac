/**
 * The one place that loads h5wasm (HDF5 compiled to WebAssembly, host files through NODERAWFS)
 * and registers the Blosc filter (HDF5 filter 32001) that the published LHCO files use.
 *
 * h5wasm ships only an ESM build under an "import"-only export, so it is loaded by absolute
 * path with require (Node >= 20.19 loads ESM synchronously) and falls back to a real dynamic
 * import; tsc's CommonJS output would otherwise turn `import()` into a failing require.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as H5 from "h5wasm";

export type H5Module = typeof H5;
export type H5File = H5.File;
export type H5Dataset = H5.Dataset;
export type H5Group = H5.Group;

/** HDF5 filter id of Blosc, as registered by PyTables / hdf5-blosc. */
export const BLOSC_FILTER_ID = 32001;

let loading: Promise<H5Module> | undefined;

function packageDir(name: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return path.resolve(__dirname, "..", "..", "node_modules", name);
  }
}

async function load(): Promise<H5Module> {
  const entry = path.join(packageDir("h5wasm"), "dist", "node", "hdf5_hl.js");
  let mod: H5Module;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    mod = require(entry) as H5Module;
  } catch {
    const dynamicImport = new Function("p", "return import(p)") as (p: string) => Promise<H5Module>;
    mod = await dynamicImport(entry);
  }
  await mod.ready;
  const pluginDir = path.join(packageDir("h5wasm-plugins"), "plugins");
  if (!fs.existsSync(path.join(pluginDir, "libH5Zblosc.so"))) {
    throw new Error(`Blosc HDF5 plugin not found at ${pluginDir}/libH5Zblosc.so (is h5wasm-plugins installed?)`);
  }
  // NODERAWFS: wasm sees the host file system, so the plugin folder can be searched in place.
  const M = mod.Module;
  if (!M.get_plugin_search_paths().includes(pluginDir)) M.insert_plugin_search_path(pluginDir, 0);
  return mod;
}

/** h5wasm, ready, with the Blosc plugin registered (loaded once per process). */
export function h5wasm(): Promise<H5Module> {
  if (!loading) loading = load();
  return loading;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The end-of-file address recorded in an HDF5 superblock at offset 0 (the file's size when it
 * was closed), or undefined when the file does not start with an HDF5 superblock. A file shorter
 * than this was truncated.
 */
export function hdf5EndOfFile(file: string): number | undefined {
  const head = Buffer.alloc(64);
  const fd = fs.openSync(file, "r");
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n < 16 || HDF5_SIGNATURE.some((b, i) => head[i] !== b)) return undefined;
  const version = head[8];
  // Superblock layouts (HDF5 file format spec, section II.A): where "size of offsets" and the EOF address sit.
  const sizeOfOffsets = version <= 1 ? head[13] : head[9];
  const base = version === 0 ? 24 : version === 1 ? 28 : 12;
  const at = base + 2 * sizeOfOffsets;
  if (sizeOfOffsets !== 8 || n < at + 8) return undefined;
  return Number(head.readBigUInt64LE(at));
}
