/**
 * Access to the reference data in `../shared` (beside the checkout; never copied into the repo)
 * and to the Debian reference tools. Tests call these to skip with a clear message when absent;
 * with env CI set a missing reference fails instead (requireReference), since CI installs them all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { test, TestContext } from "node:test";

/** CI is set (and not "false"/"0"): every reference is installed there, so a missing one is a failure. */
export const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

const failedReasons = new Set<string>();
/**
 * Every test skip decision goes through here. `reason` false: the reference is there, run the test.
 * Otherwise, without CI: the reason, so node:test skips with it. With CI: a test named after the
 * reason is added that fails with it (once per reason and file), and the reason is returned so the
 * test itself does not run half-equipped; CI cannot stay green with a reference missing.
 */
export function requireReference(reason: string | false): string | false {
  if (reason === false || !IN_CI) return reason;
  if (!failedReasons.has(reason)) {
    failedReasons.add(reason);
    test(`CI requires a reference that is missing: ${reason}`, () => {
      throw new Error(`missing in CI (.ci/run installs it): ${reason}`);
    });
  }
  return reason;
}

/** For a skip decided inside a running test: skips with the reason, or fails with it under CI. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (IN_CI) throw new Error(`missing in CI: ${reason}`);
  t.skip(reason);
}

/** A skip value for a command line tool (e.g. snakemake, bwrap): false when `cmd args` exits 0. */
export function skipUnlessCommand(cmd: string, args: string[], install: string): string | false {
  const ok = spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  return requireReference(ok ? false : `${cmd} is not installed (${install})`);
}

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const SHARED_DIR = process.env.HEPLLM_SHARED ?? path.resolve(REPO_ROOT, "..", "shared");

/** Absolute path of a file under ../shared, or undefined when it is missing. */
export function sharedFile(rel: string): string | undefined {
  const p = path.join(SHARED_DIR, rel);
  return fs.existsSync(p) ? p : undefined;
}

/** A node:test `skip` value: false when the file exists, else the reason to print (a failure in CI). */
export function skipUnlessShared(rel: string): string | false {
  return requireReference(sharedFile(rel) ? false : `reference data ${path.join(SHARED_DIR, rel)} is missing (../shared is not beside this checkout)`);
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

/** A node:test `skip` value for a Python reference module (a failure in CI). */
export function skipUnlessPython(mod: string, debianPackage: string): string | false {
  return requireReference(hasPythonModule(mod) ? false : `Python module ${mod} is not installed (apt-get install ${debianPackage}); reference check skipped`);
}

/** A node:test `skip` value for Debian's python itself (a failure in CI). */
export function skipUnlessSystemPython(): string | false {
  return requireReference(fs.existsSync(SYSTEM_PYTHON) ? false : `no ${SYSTEM_PYTHON} (apt-get install python3)`);
}
