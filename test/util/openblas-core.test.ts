/**
 * openblas-core.ts: SkylakeX kernels only for AMD CPUs with every AVX-512 extension they use,
 * never over a user's OPENBLAS_CORETYPE, and in effect for the OpenBLAS the addon loads
 * (checked through the addon's own config string, which OpenBLAS writes).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { openblasCoreFor } from "../../lib/util/openblas-core";
import { NATIVE_ADDON } from "../../lib/util/native-addon";
import { REPO_ROOT } from "../support/shared";

const base = "processor\t: 0\nmodel name\t: X\n";
const zen4 = `${base}vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 fma avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512vbmi\n`;
const zen3 = `${base}vendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 fma\n`;
const amdPartial = `${base}vendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx512f avx512cd avx512bw avx512dq\n`; // no avx512vl
const intelSkx = `${base}vendor_id\t: GenuineIntel\nflags\t\t: fpu avx2 avx512f avx512dq avx512cd avx512bw avx512vl\n`;

test("SkylakeX for AMD with AVX-512 F/CD/BW/DQ/VL; nothing for AMD without, Intel, other architectures", () => {
  assert.equal(openblasCoreFor(zen4, "x64"), "SKYLAKEX");
  assert.equal(openblasCoreFor(zen3, "x64"), undefined);
  assert.equal(openblasCoreFor(amdPartial, "x64"), undefined);
  assert.equal(openblasCoreFor(intelSkx, "x64"), undefined);
  assert.equal(openblasCoreFor(zen4, "arm64"), undefined);
  assert.equal(openblasCoreFor("", "x64"), undefined);
  assert.equal(openblasCoreFor(zen4.replace("avx512vl", "avx512vlx"), "x64"), undefined); // whole words only
});

function loadIn(env: Record<string, string | undefined>) {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) e[k] = v;
  const script = `const n = require("./lib/util/native-addon"); const a = n.nativeAddon();
    console.log(JSON.stringify([process.env.OPENBLAS_CORETYPE ?? null, a && a.config ? a.config() : null]));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, env: e, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [string | null, string | null];
}

test("the choice reaches the OpenBLAS the addon loads; a user's OPENBLAS_CORETYPE is kept", () => {
  const cpuinfo = fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "";
  const want = openblasCoreFor(cpuinfo, process.arch);
  const [core, config] = loadIn({ OPENBLAS_CORETYPE: undefined });
  assert.equal(core, want ?? null);
  const [kept] = loadIn({ OPENBLAS_CORETYPE: "HASWELL" });
  assert.equal(kept, "HASWELL");
  if (want && config && fs.existsSync(NATIVE_ADDON)) assert.match(config, /SkylakeX/i); // OpenBLAS's own report of its kernels
});
