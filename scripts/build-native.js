#!/usr/bin/env node
// Builds hepllm's optional native matrix products (native/gemm.cc, an N-API addon over OpenBLAS,
// with the fused training kernels of native/fused.cc and the jet clustering and N-subjettiness axes
// of native/cluster.cc and native/kt-axes.cc)
// into native/build/hepllm_native.node. Run by `npm ci` / `npm install` (package.json "install")
// and by `npm run build:native`. It never fails the install: without a C++ compiler, Node's
// headers or a BLAS it prints one line saying so and exits 0, and hepllm uses the portable wasm
// path. A plain compiler call, not node-gyp: node-gyp would download Node's headers, and the
// Debian `nodejs` package already ships them in /usr/include/node.
//
// usage: node scripts/build-native.js [--out <file.node>]
// env:   HEPLLM_NATIVE=0 skips the build; CXX picks the compiler (default c++, then g++);
//        HEPLLM_BLAS_CFLAGS / HEPLLM_BLAS_LIBS replace the BLAS flags found by pkg-config
//        (e.g. HEPLLM_BLAS_LIBS="-lblis" for another CBLAS).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const SOURCES = ["gemm.cc", "fused.cc", "score.cc"].map((f) => path.join(ROOT, "native", f)); // products; fused training kernels; scoring kernels
/**
 * Compiled on their own with -ffp-contract=off (no fused multiply-adds: every rounding as in the
 * FastJet reference), then linked in; fused.cc keeps its FMA contraction.
 */
const EXACT_SOURCES = ["cluster.cc", "kt-axes.cc"].map((f) => path.join(ROOT, "native", f)); // jet clustering; N-subjettiness axes
const HOW = "install a C++ compiler and OpenBLAS (Debian: apt-get install g++ libopenblas-dev), then npm run build:native";

function say(msg) {
  console.log(`hepllm: ${msg}`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}`.trim() };
}

function findCompiler() {
  const candidates = process.env.CXX ? [process.env.CXX] : ["c++", "g++", "clang++"];
  return candidates.find((c) => run(c, ["--version"]).ok);
}

function findNodeHeaders() {
  const dirs = [
    path.resolve(path.dirname(process.execPath), "..", "include", "node"), // official tarballs, nvm, Debian (/usr/bin/node → /usr/include/node)
    "/usr/include/node",
    "/usr/local/include/node",
  ];
  return dirs.find((d) => fs.existsSync(path.join(d, "node_api.h")));
}

/** Compiler and linker flags for a CBLAS with OpenBLAS's thread control, or the user's own. */
function blasFlags() {
  const split = (s) => s.split(/\s+/).filter(Boolean);
  if (process.env.HEPLLM_BLAS_CFLAGS !== undefined || process.env.HEPLLM_BLAS_LIBS !== undefined) {
    return { cflags: split(process.env.HEPLLM_BLAS_CFLAGS ?? ""), libs: split(process.env.HEPLLM_BLAS_LIBS ?? "-lopenblas") };
  }
  const pc = run("pkg-config", ["--cflags", "--libs", "openblas"]);
  const flags = pc.ok ? split(pc.out) : ["-lopenblas"];
  // Keep the library directory at run time too (Debian's pkg-config points into openblas-pthread/).
  const rpath = flags.filter((f) => f.startsWith("-L")).map((f) => `-Wl,-rpath,${f.slice(2)}`);
  return { cflags: flags.filter((f) => f.startsWith("-I")), libs: [...flags.filter((f) => !f.startsWith("-I")), ...rpath] };
}

function main() {
  const i = process.argv.indexOf("--out");
  const out = i > 0 ? path.resolve(process.argv[i + 1]) : path.join(ROOT, "native", "build", "hepllm_native.node");
  if (process.env.HEPLLM_NATIVE === "0") return say(`native GEMM build skipped (HEPLLM_NATIVE=0); hepllm uses the portable wasm path`);
  const cxx = findCompiler();
  if (!cxx) return say(`no C++ compiler found, native GEMM not built; hepllm uses the portable wasm path (for the fast one: ${HOW})`);
  const headers = findNodeHeaders();
  if (!headers) return say(`Node's headers (node_api.h) not found, native GEMM not built; hepllm uses the portable wasm path (Debian: apt-get install nodejs; or ${HOW})`);
  const blas = blasFlags();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp.node`; // require() loads only *.node files as addons
  const r = build(cxx, headers, tmp, blas);
  if (!r.ok) {
    const first = r.out.split("\n").find((l) => /error/i.test(l)) ?? r.out.split("\n")[0] ?? "";
    const why = `native GEMM not built (${cxx}: ${first.trim().slice(0, 160)}); hepllm uses the portable wasm path (for the fast one: ${HOW})`;
    // Without a BLAS the clustering sources still build on their own (they need none).
    if (!build(cxx, headers, tmp, undefined).ok || !loads(tmp)) return say(why);
    fs.renameSync(tmp, out);
    return say(`${why}; native jet clustering built without it (${path.relative(ROOT, out)})`);
  }
  // Load it once here, so a library that links but cannot load is reported now, not at run time.
  if (!loads(tmp)) return say(`native GEMM built but does not load (${loadError}); hepllm uses the portable wasm path`);
  fs.renameSync(tmp, out); // atomic: a half-written addon is never loaded
  say(`native GEMM built (${path.relative(ROOT, out)}, ${cxx}, ${blas.libs.filter((f) => f.startsWith("-l")).join(" ")})`);
}

/**
 * Compiles the addon into `tmp`: every source with the BLAS flags `blas`, or (blas undefined) the
 * clustering sources alone, with their own module entry (-DHEPLLM_CLUSTER_ONLY). Removes tmp on failure.
 */
function build(cxx, headers, tmp, blas) {
  const common = ["-O3", "-fno-trapping-math", "-std=c++17", "-fPIC", "-fvisibility=hidden", `-I${headers}`, ...(blas ? [] : ["-DHEPLLM_CLUSTER_ONLY"])];
  const objects = EXACT_SOURCES.map((src) => `${tmp}.${path.basename(src, ".cc")}.o`);
  let r = { ok: true, out: "" };
  EXACT_SOURCES.forEach((src, k) => {
    if (r.ok) r = run(cxx, [...common, "-ffp-contract=off", "-c", src, "-o", objects[k]]);
  });
  const args = blas ? [...common, "-shared", ...blas.cflags, ...SOURCES, ...objects, "-o", tmp, ...blas.libs] : [...common, "-shared", ...objects, "-o", tmp];
  if (process.platform === "darwin") args.push("-undefined", "dynamic_lookup"); // N-API symbols come from the node binary
  if (r.ok) r = run(cxx, args);
  for (const o of objects) fs.rmSync(o, { force: true });
  if (!r.ok) fs.rmSync(tmp, { force: true });
  return r;
}

let loadError = "";
/** Whether the built addon loads in this process (removed when it does not). */
function loads(tmp) {
  try {
    require(tmp);
    return true;
  } catch (err) {
    loadError = String(err.message).split("\n")[0];
    fs.rmSync(tmp, { force: true });
    return false;
  }
}

try {
  main();
} catch (err) {
  say(`native GEMM not built (${String(err && err.message).split("\n")[0]}); hepllm uses the portable wasm path`);
}
process.exit(0);
