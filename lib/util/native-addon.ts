/**
 * hepllm's optional native addon (native/build/hepllm_native.node, built by
 * scripts/build-native.js at install: native matrix products, fused training kernels, jet
 * clustering), found and loaded once per thread for every module that has a native fast path
 * (lib/jets, lib/llm/kernels), so that none needs to import another's loader.
 *
 * Off when HEPLLM_NATIVE=0 or when it is not built (no compiler or BLAS at install): callers then
 * take their portable path, and `sayPortable` tells the user once, in one line on stderr.
 */
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";
import { chooseOpenblasCore } from "./openblas-core";

/** Where scripts/build-native.js puts the addon (repository root/native/build). */
export const NATIVE_ADDON = path.resolve(__dirname, "..", "..", "native", "build", "hepllm_native.node");
/** How to get the addon, for messages. */
export const NATIVE_HOW = "install g++ and libopenblas-dev, then npm run build:native";

let addon: object | undefined;
let unavailable: string | undefined; // why the addon is not used, once tried
const told = new Set<string>();

/**
 * The addon's exports, loaded once; undefined (with the reason kept, see nativeAddonUnavailable)
 * when HEPLLM_NATIVE=0, not built, or not loadable. Each caller checks for the exports it needs:
 * an addon built from older sources may lack some.
 */
export function nativeAddon<T extends object>(): T | undefined {
  if (addon || unavailable) return addon as T | undefined;
  if (process.env.HEPLLM_NATIVE === "0") {
    unavailable = "HEPLLM_NATIVE=0";
    return undefined;
  }
  try {
    chooseOpenblasCore(); // before libopenblas loads with the addon (openblas-core.ts)
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    addon = require(NATIVE_ADDON) as object;
  } catch (err) {
    const code = (err as { code?: string }).code;
    unavailable = code === "MODULE_NOT_FOUND" ? "native/build/hepllm_native.node not built" : `native addon does not load: ${(err as Error).message.split("\n")[0]}`;
  }
  return addon as T | undefined;
}

/** Why the addon is off (undefined while it is loaded or not yet tried). */
export function nativeAddonUnavailable(): string | undefined {
  return unavailable;
}

/**
 * Says once per process (main thread only; HEPLLM_QUIET_BACKEND=1 silences it), in one line on
 * stderr, that `what` runs on its portable path, why, and how to get the native one.
 */
export function sayPortable(what: string, why: string): void {
  if (told.has(what) || !isMainThread || process.env.HEPLLM_QUIET_BACKEND === "1") return;
  told.add(what);
  console.error(`hepllm: ${what} on the portable JS path (${why}); for the native one: ${NATIVE_HOW}`);
}
