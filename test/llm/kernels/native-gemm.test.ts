/**
 * The native matrix products (lib/llm/kernels/native.ts over native/gemm.cc and OpenBLAS): each
 * product against a float64 triple loop on the host and against the stock wasm kernel, on random
 * shapes with transposes, batches and broadcasts (≤ 1e-5 relative to the largest entry); the
 * native Transpose against a host permutation; a LoRA
 * model's logits and gradients on both paths; the addon's bounds checks; and the portable path:
 * HEPLLM_NATIVE=0 and a build without a compiler or BLAS (one line, exit 0). With CI set the
 * addon must be built (.ci/run installs g++ and libopenblas-dev, `npm ci` builds it).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { applyLora, initBackend, initModel, ModelConfig } from "../../../lib/llm";
import { groupMatMul } from "../../../lib/llm/kernels/wasm";
import { loadNativeAddon, nativeKernelsActive, nativeUnavailableReason, NATIVE_ADDON, useNativeKernels } from "../../../lib/llm/kernels/native";
import { Rng } from "../../../lib/util/rng";
import { IN_CI, REPO_ROOT, skipOrFail } from "../../support/shared";
import { relErr, tempDir } from "../support";

let wasm = false;
before(async () => {
  wasm = (await initBackend("wasm")) === "wasm";
});

/** Why the comparison cannot run (undefined: it can). */
function missing(): string | undefined {
  if (!wasm) return "wasm backend unavailable";
  if (!loadNativeAddon()) return `native GEMM unavailable (${nativeUnavailableReason()}; npm run build:native needs g++ and libopenblas-dev)`;
  return undefined;
}

/** Runs f with the native kernels on or off, restoring the native ones afterwards. */
function withPath<T>(native: boolean, f: () => T): T {
  useNativeKernels(native);
  try {
    return f();
  } finally {
    useNativeKernels(true);
  }
}

/** op(a)·op(b) in float64 for row-major a, b with leading batch dims flattened (batch 1 broadcasts). */
function hostProduct(a: Float32Array, b: Float32Array, ba: number, bb: number, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const batch = Math.max(ba, bb);
  const out = new Float64Array(batch * m * n);
  for (let g = 0; g < batch; g++) {
    const ao = (ba === 1 ? 0 : g) * m * k;
    const bo = (bb === 1 ? 0 : g) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ao + (ta ? p * m + i : i * k + p)] * b[bo + (tb ? j * k + p : p * n + j)];
        out[(g * m + i) * n + j] = s;
      }
  }
  return out;
}

test("in CI the native GEMM is built and active", (t) => {
  if (!wasm) return skipOrFail(t, "wasm backend unavailable");
  const why = missing();
  if (why) return skipOrFail(t, why);
  assert.ok(nativeKernelsActive(), "native kernels installed by initBackend('wasm')");
  assert.ok(fs.existsSync(NATIVE_ADDON));
});

test("tf.matMul: native equals the host float64 product and the stock wasm kernel (≤ 1e-5 relative)", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const rng = new Rng(15);
  // [a's batch dims, b's batch dims, m, k, n]; every shape runs with all four transpose flags.
  const cases: [number[], number[], number, number, number][] = [
    [[], [], 1, 1, 1],
    [[], [], 37, 53, 29],
    [[], [], 128, 256, 172],
    [[3], [3], 17, 5, 9],
    [[16], [16], 64, 32, 64],
    [[1], [4], 12, 33, 7],
    [[5], [1], 8, 19, 23],
    [[2, 3], [2, 3], 6, 11, 13],
    [[], [], 3, 1, 250],
  ];
  for (let c = 0; c < 30; c++) cases.push([[1 + rng.int(4)], [], 1 + rng.int(40), 1 + rng.int(70), 1 + rng.int(40)]);
  for (const [da, db, m, k, n] of cases) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const ba = da.reduce((x, y) => x * y, 1);
        const bb = db.reduce((x, y) => x * y, 1);
        const a = Float32Array.from({ length: ba * m * k }, () => rng.normal());
        const b = Float32Array.from({ length: bb * k * n }, () => rng.normal());
        const want = hostProduct(a, b, ba, bb, m, k, n, ta, tb);
        const run = (): Float32Array =>
          tf.tidy(() => tf.matMul(tf.tensor(a, [...da, ...(ta ? [k, m] : [m, k])]), tf.tensor(b, [...db, ...(tb ? [n, k] : [k, n])]), ta, tb).dataSync() as Float32Array);
        const native = withPath(true, run);
        const stock = withPath(false, run);
        const label = `[${da}|${m}x${k}]·[${db}|${k}x${n}] tA=${ta} tB=${tb}`;
        assert.ok(relErr(native, want) <= 1e-5, `${label}: native vs host ${relErr(native, want)}`);
        assert.ok(relErr(native, stock) <= 1e-5, `${label}: native vs wasm ${relErr(native, stock)}`);
      }
    }
  }
});

test("tf.fused.matMul (bias, activations) equals the unfused ops; the grouped product equals the host and stock wasm", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const rng = new Rng(16);
  const r = (shape: number[]): tf.Tensor => tf.tensor(Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => rng.normal()), shape);
  const a = r([2, 9, 14]);
  const b = r([2, 14, 11]);
  const bT = r([2, 11, 14]);
  // Reference: the unfused ops on the stock wasm path. (Stock wasm _FusedMatMul itself adds the
  // bias to the first batch entry only — 2.5 off here — so it cannot be the reference.)
  const act: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    linear: (x) => x, relu: tf.relu, relu6: tf.relu6, leakyrelu: (x) => tf.leakyRelu(x, 0.3), sigmoid: tf.sigmoid, elu: tf.elu,
    prelu: (x) => tf.prelu(x, tf.fill([11], 0.1)),
  };
  for (const activation of ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu", "prelu"] as const) {
    for (const bias of [undefined, r([11]), r([1])]) {
      const native = withPath(true, () =>
        tf.tidy(() => {
          const prelu = activation === "prelu" ? tf.fill([11], 0.1) : undefined;
          const x = tf.fused.matMul({ a, b, bias, activation, leakyreluAlpha: 0.3, preluActivationWeights: prelu });
          const y = tf.fused.matMul({ a, b: bT, transposeB: true, bias, activation, leakyreluAlpha: 0.3, preluActivationWeights: prelu });
          return tf.concat([x.flatten(), y.flatten()]).dataSync() as Float32Array;
        }),
      );
      const want = withPath(false, () =>
        tf.tidy(() => {
          const plus = (z: tf.Tensor): tf.Tensor => act[activation](bias ? tf.add(z, bias) : z);
          return tf.concat([plus(tf.matMul(a, b)).flatten(), plus(tf.matMul(a, bT, false, true)).flatten()]).dataSync() as Float32Array;
        }),
      );
      assert.ok(relErr(native, want) <= 1e-5, `fused ${activation} bias ${bias?.shape}: ${relErr(native, want)}`);
    }
  }
  const ga = r([16, 128, 32]);
  const gb = r([16, 32, 128]);
  const want = hostProduct(ga.dataSync() as Float32Array, gb.dataSync() as Float32Array, 16, 16, 128, 32, 128, false, false);
  const native = withPath(true, () => tf.tidy(() => groupMatMul(ga as tf.Tensor3D, gb as tf.Tensor3D).dataSync() as Float32Array));
  const stock = withPath(false, () => tf.tidy(() => groupMatMul(ga as tf.Tensor3D, gb as tf.Tensor3D).dataSync() as Float32Array));
  assert.ok(relErr(native, want) <= 1e-5, `groupMatMul vs host ${relErr(native, want)}`);
  assert.ok(relErr(native, stock) <= 1e-5, `groupMatMul vs wasm ${relErr(native, stock)}`);
});

test("tf.transpose: native equals a host permutation (float32 and int32, random ranks and perms)", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const rng = new Rng(18);
  const cases: [number[], number[]][] = [[[512, 256], [1, 0]], [[4, 128, 4, 2, 32], [0, 2, 3, 1, 4]], [[16, 256, 32], [0, 2, 1]], [[1, 9, 1, 4], [2, 3, 0, 1]], [[0, 3], [1, 0]]];
  for (let c = 0; c < 40; c++) {
    const rank = 1 + rng.int(5);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(7));
    const perm = shape.map((_, i) => i);
    for (let i = rank - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    cases.push([shape, perm]);
  }
  for (const [shape, perm] of cases) {
    for (const dtype of ["float32", "int32"] as const) {
      const size = shape.reduce((x, y) => x * y, 1);
      const data = dtype === "int32" ? Int32Array.from({ length: size }, (_, i) => i) : Float32Array.from({ length: size }, () => rng.normal());
      // Host reference: out index (in output order) → input index through the strides.
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
      const outShape = perm.map((p) => shape[p]);
      const want = new Array<number>(size);
      for (let o = 0; o < size; o++) {
        let rest = o;
        let at = 0;
        for (let d = outShape.length - 1; d >= 0; d--) {
          at += (rest % outShape[d]) * strides[perm[d]];
          rest = Math.floor(rest / outShape[d]);
        }
        want[o] = data[at];
      }
      const got = withPath(true, () => tf.tidy(() => Array.from(tf.transpose(tf.tensor(data, shape, dtype), perm).dataSync())));
      assert.deepEqual(got, want, `transpose [${shape}] by [${perm}] (${dtype})`);
    }
  }
});

test("a LoRA model's logits and LoRA gradients agree on the native and wasm paths", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const config: ModelConfig = {
    modelType: "mistral", vocabSize: 211, hiddenSize: 64, intermediateSize: 172, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16,
    slidingWindow: null, ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: false, maxPositionEmbeddings: 512, bosTokenId: 1, eosTokenId: 2,
  };
  const model = initModel(config, 3);
  const adapter = applyLora(model, { r: 4, alpha: 8, dropout: 0, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], seed: 3 });
  // LoRA B starts at zero (gradients of A would vanish): give it values so every path is exercised.
  const rng = new Rng(17);
  for (const v of adapter.variables()) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => 0.05 * rng.normal()), v.shape));
  const ids = tf.tensor2d(Array.from({ length: 2 }, () => Array.from({ length: 48 }, () => 3 + rng.int(200))), [2, 48], "int32");
  const vars = adapter.variables();
  const run = (): { logits: Float32Array; grads: Float32Array[] } => {
    const logits = tf.tidy(() => model.forward(ids, {}).dataSync() as Float32Array);
    const { value, grads } = tf.variableGrads(() => {
      const z = model.forward(ids, { training: true }).reshape([-1, config.vocabSize]);
      return tf.mean(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(tf.fill([z.shape[0]], 5, "int32"), config.vocabSize)), 1)).neg() as tf.Scalar;
    }, vars);
    const out = { logits, grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  };
  const native = withPath(true, run);
  const stock = withPath(false, run);
  assert.ok(relErr(native.logits, stock.logits) <= 1e-5, `logits: ${relErr(native.logits, stock.logits)}`);
  native.grads.forEach((g, i) => assert.ok(relErr(g, stock.grads[i]) <= 1e-4, `gradient of ${vars[i].name}: ${relErr(g, stock.grads[i])}`));
  tf.dispose(ids);
  adapter.dispose();
  model.dispose();
});

test("native products are repeatable at a fixed thread count (run to run, bit for bit)", (t) => {
  const why = missing();
  if (why) return skipOrFail(t, why);
  const rng = new Rng(19);
  const a = tf.tensor2d(Float32Array.from({ length: 96 * 300 }, () => rng.normal()), [96, 300]);
  const b = tf.tensor2d(Float32Array.from({ length: 300 * 130 }, () => rng.normal()), [300, 130]);
  const first = tf.tidy(() => tf.matMul(a, b).dataSync());
  for (let i = 0; i < 5; i++) assert.deepEqual(tf.tidy(() => tf.matMul(a, b).dataSync()), first);
  tf.dispose([a, b]);
});

test("the addon checks its operands against the heap (RangeError, no stray writes)", (t) => {
  const addon = loadNativeAddon();
  if (!addon) return skipOrFail(t, `native GEMM unavailable (${nativeUnavailableReason()})`);
  const heap = new ArrayBuffer(64);
  const f = new Float32Array(heap);
  f.set([1, 2, 3, 4], 0); // a = [[1,2],[3,4]], b = I at 16 bytes, out at 32 bytes
  f.set([1, 0, 0, 1], 4);
  addon.sgemm(heap, 1, 2, 2, 2, false, false, 0, 0, 16, 0, 32, -1, 0, 0, 0);
  assert.deepEqual(Array.from(f.subarray(8, 12)), [1, 2, 3, 4]);
  addon.sgemm(heap, 1, 2, 2, 2, true, false, 0, 0, 16, 0, 32, -1, 0, 0, 0);
  assert.deepEqual(Array.from(f.subarray(8, 12)), [1, 3, 2, 4], "transposeA");
  assert.throws(() => addon.sgemm(heap, 1, 2, 2, 2, false, false, 0, 0, 16, 0, 52, -1, 0, 0, 0), RangeError);
  assert.throws(() => addon.sgemm(heap, 2, 2, 2, 2, false, false, 0, 4, 16, 0, 48, -1, 0, 0, 0), RangeError, "second output past the end");
  assert.throws(() => addon.sgemm(heap, 1, 2, 2, 2, false, false, 2, 0, 16, 0, 32, -1, 0, 0, 0), RangeError, "misaligned");
  assert.throws(() => addon.sgemm(heap, 1, -2, 2, 2, false, false, 0, 0, 16, 0, 32, -1, 0, 0, 0), RangeError);
  assert.throws(() => addon.transpose(heap, 0, 52, [2, 2], [1, 0]), RangeError, "transpose output past the end");
  assert.throws(() => addon.transpose(heap, 0, 32, [2, 2], [1, 1]), RangeError, "not a permutation");
  addon.transpose(heap, 0, 32, [2, 2], [1, 0]);
  assert.deepEqual(Array.from(f.subarray(8, 12)), [1, 3, 2, 4]);
  assert.throws(() => addon.sgemm(new Float32Array(4) as unknown as ArrayBuffer, 1, 1, 1, 1, false, false, 0, 0, 0, 0, 0, -1, 0, 0, 0), TypeError);
});

/** Runs a script in a fresh node (tsx) from the repository root; returns status and output. */
function node(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, env: { ...process.env, HEPLLM_QUIET_BACKEND: "0", ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("HEPLLM_NATIVE=0: the portable wasm path, said once in one line, same products", () => {
  const script = `
    const tf = require("@tensorflow/tfjs");
    const { initBackend } = require("./lib/llm");
    const { nativeKernelsActive } = require("./lib/llm/kernels/native");
    (async () => {
      await initBackend("wasm");
      await initBackend("wasm");
      const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]]), false, true);
      console.log(JSON.stringify({ active: nativeKernelsActive(), y: Array.from(y.dataSync()) }));
    })();`;
  const r = node(script, { HEPLLM_NATIVE: "0" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { active: false, y: [17, 23, 39, 53] });
  const lines = r.stderr.split("\n").filter((l) => /portable wasm path/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /HEPLLM_NATIVE=0.*libopenblas-dev/);
});

test("HEPLLM_THREADS sets the BLAS pool; a bad value is an error naming it", (t) => {
  if (!fs.existsSync(NATIVE_ADDON) || !loadNativeAddon()) return skipOrFail(t, "native GEMM not built (or built without a BLAS)");
  const script = `const n = require("./lib/llm/kernels/native"); console.log(n.nativeInfo().threads);`;
  const one = node(script, { HEPLLM_THREADS: "1" });
  assert.equal(one.stdout.trim(), "1", one.stderr);
  const bad = node(script, { HEPLLM_THREADS: "two" });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /HEPLLM_THREADS must be a whole number >= 1, got "two"/);
  const cli = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), "--threads", "0", "help"], { encoding: "utf8" });
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /--threads must be a whole number >= 1/);
});

test("build-native: without a compiler or a BLAS it prints one line and exits 0; with both it builds a loadable addon", (t) => {
  const dir = tempDir("native-build");
  const out = path.join(dir, "x.node");
  const build = (env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "build-native.js"), "--out", out], { env: { ...process.env, ...env }, encoding: "utf8" });
  const noCompiler = build({ CXX: path.join(dir, "no-such-compiler") });
  assert.equal(noCompiler.status, 0);
  assert.equal(noCompiler.stdout.trim().split("\n").length, 1);
  assert.match(noCompiler.stdout, /no C\+\+ compiler found.*portable wasm path.*libopenblas-dev/);
  // A compiler that answers --version but cannot find the BLAS header, as g++ without libopenblas-dev.
  const fake = path.join(dir, "fake-c++");
  fs.writeFileSync(fake, `#!/bin/sh\n[ "$1" = --version ] && exit 0\necho "gemm.cc:2:10: fatal error: cblas.h: No such file or directory" >&2\nexit 1\n`, { mode: 0o755 });
  const noBlas = build({ CXX: fake });
  assert.equal(noBlas.status, 0);
  assert.equal(noBlas.stdout.trim().split("\n").length, 1);
  assert.match(noBlas.stdout, /not built .*cblas\.h.*portable wasm path/);
  assert.ok(!fs.existsSync(out));
  if (!IN_CI && spawnSync("c++", ["--version"]).status !== 0) return t.skip("no C++ compiler here");
  const real = build({});
  assert.equal(real.status, 0);
  if (!fs.existsSync(out)) return skipOrFail(t, `the build needs g++ and libopenblas-dev: ${real.stdout.trim()}`);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const addon = require(out) as { config(): string; threads(): number };
  assert.match(addon.config(), /\S/);
  assert.ok(addon.threads() >= 1);
  fs.rmSync(dir, { recursive: true, force: true });
});
