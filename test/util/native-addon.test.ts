/**
 * The shared native-addon loader: off with HEPLLM_NATIVE=0 (reason kept), loaded once when built
 * (with the exports of every native source), loadable in worker threads, sayPortable's one line
 * per topic on the main thread only, and the build without a BLAS (clustering only).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { NATIVE_ADDON, nativeAddon, nativeAddonUnavailable } from "../../lib/util/native-addon";
import { IN_CI, REPO_ROOT, requireReference } from "../support/shared";

const notBuilt = requireReference(fs.existsSync(NATIVE_ADDON) && process.env.HEPLLM_NATIVE !== "0" ? false : "native/build/hepllm_native.node not built (npm run build:native needs g++ and libopenblas-dev)");

function node(script: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, env: { ...process.env, HEPLLM_QUIET_BACKEND: "", ...env }, encoding: "utf8" });
}

test("HEPLLM_NATIVE=0: no addon, the reason kept; sayPortable says it once per topic in one line", () => {
  const r = node(`
    const n = require("./lib/util/native-addon");
    console.log(JSON.stringify([n.nativeAddon() === undefined, n.nativeAddonUnavailable()]));
    n.sayPortable("jet clustering", n.nativeAddonUnavailable());
    n.sayPortable("jet clustering", "again");
    n.sayPortable("something else", "x");`, { HEPLLM_NATIVE: "0" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [true, "HEPLLM_NATIVE=0"]);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0], /^hepllm: jet clustering on the portable JS path \(HEPLLM_NATIVE=0\); for the native one: install g\+\+ and libopenblas-dev, then npm run build:native$/);
  assert.match(lines[1], /something else/);
  const quiet = node(`require("./lib/util/native-addon").sayPortable("jet clustering", "x");`, { HEPLLM_QUIET_BACKEND: "1" });
  assert.equal(quiet.stderr, "");
});

test("the built addon loads once, with the exports of gemm.cc, cluster.cc and kt-axes.cc", { skip: notBuilt }, () => {
  const a = nativeAddon<Record<string, unknown>>();
  assert.ok(a, nativeAddonUnavailable());
  assert.equal(nativeAddon(), a);
  // Built without a BLAS (not in CI: it installs OpenBLAS) the addon holds the clustering only.
  const blas = IN_CI || a.sgemm !== undefined;
  for (const name of [...(blas ? ["sgemm", "transpose"] : []), "clusterGenKt", "ktAxes"]) assert.equal(typeof a[name], "function", name);
});

test("the addon loads and clusters in a worker thread (prepare's workers), alongside the main thread", { skip: notBuilt }, async () => {
  const code = `
    const { parentPort } = require("node:worker_threads");
    const a = require(${JSON.stringify(NATIVE_ADDON)});
    // Two massless particles 0.5 apart in azimuth at R = 1: one merge, one beam jet (id 2).
    const cap = 64, f64 = new Float64Array(10 * cap), i32 = new Int32Array(8 * cap), j = 2 * cap;
    const put = (k, px, py) => { f64[k] = px; f64[j + k] = py; f64[2 * j + k] = 0; f64[3 * j + k] = Math.hypot(px, py); f64[4 * j + k] = px * px + py * py; i32[k] = k; i32[j + k] = k; i32[2 * j + k] = k; i32[3 * j + k] = -1; };
    put(0, 10, 0); put(1, 10 * Math.cos(0.5), 10 * Math.sin(0.5));
    const nBeam = a.clusterGenKt(f64, i32, cap, 2, -1, 1, 4);
    parentPort.postMessage([nBeam, i32[3 * j + cap], f64[2] === 10 + 10 * Math.cos(0.5)]);`;
  const got = await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once("message", resolve);
    w.once("error", reject);
  });
  assert.deepEqual(got, [1, 2, true]);
});

test("build-native without a BLAS builds the clustering alone (no sgemm), in one line saying so", { skip: notBuilt }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hepllm-noblas-"));
  const out = path.join(dir, "x.node");
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "build-native.js"), "--out", out], {
    env: { ...process.env, HEPLLM_BLAS_LIBS: "-lno-such-blas-hepllm" }, encoding: "utf8",
  });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim().split("\n").length, 1, r.stdout);
  assert.match(r.stdout, /native GEMM not built .*portable wasm path.*native jet clustering built without it/);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const a = require(out) as Record<string, unknown>;
  assert.equal(typeof a.sgemm, "undefined");
  assert.equal(typeof a.clusterGenKt, "function");
  assert.equal(typeof a.ktAxes, "function");
  fs.rmSync(dir, { recursive: true, force: true });
});
