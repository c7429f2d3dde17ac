/**
 * Access to the reference data in `../shared` (beside the checkout; never copied into the repo)
 * and to the Debian reference tools. Tests call these to skip with a clear message when absent.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const SHARED_DIR = process.env.HEPLLM_SHARED ?? path.resolve(REPO_ROOT, "..", "shared");

/** Absolute path of a file under ../shared, or undefined when it is missing. */
export function sharedFile(rel: string): string | undefined {
  const p = path.join(SHARED_DIR, rel);
  return fs.existsSync(p) ? p : undefined;
}

/** A node:test `skip` value: false when the file exists, else the reason to print. */
export function skipUnlessShared(rel: string): string | false {
  return sharedFile(rel) ? false : `reference data ${path.join(SHARED_DIR, rel)} is missing (../shared is not beside this checkout)`;
}

/** The system Python that has Debian's reference packages (torch, sentencepiece, sklearn, h5py). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

const moduleCache = new Map<string, boolean>();
/** Whether Debian's python has a module (e.g. "torch", "sentencepiece", "sklearn", "tables"). */
export function hasPythonModule(mod: string): boolean {
  if (!moduleCache.has(mod)) {
    const r = fs.existsSync(SYSTEM_PYTHON) ? spawnSync(SYSTEM_PYTHON, ["-c", `import ${mod}`], { stdio: "ignore" }) : undefined;
    moduleCache.set(mod, r?.status === 0);
  }
  return moduleCache.get(mod)!;
}

/** A node:test `skip` value for a Python reference module. */
export function skipUnlessPython(mod: string, debianPackage: string): string | false {
  return hasPythonModule(mod) ? false : `Python module ${mod} is not installed (apt-get install ${debianPackage}); reference check skipped`;
}
