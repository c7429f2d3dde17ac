/**
 * Picks the TensorFlow.js backend once per process. `--backend` (lib/cli/main.ts sets
 * `HEPLLM_BACKEND`) or the `prefer` argument: auto | webgpu | tensorflow | wasm | cpu.
 *
 * `auto` (the default): WebGPU when a hardware adapter is found (lib/llm/kernels/webgpu.ts; a
 * software rasteriser such as llvmpipe is never taken by auto), else `@tensorflow/tfjs-node-gpu`
 * then `@tensorflow/tfjs-node` if one really loads, else wasm, else cpu. One line on stderr says
 * what was chosen and why. A native package only counts when it really registers the
 * "tensorflow" backend: here node_modules/@tensorflow/tfjs-node is an npm alias of plain tfjs,
 * which loads fine but brings no native kernels.
 *
 * On wasm it also replaces three kernels (Slice, Unpack, SplitV) whose stock versions copy the
 * whole input tensor out of the wasm heap for every slice (O(input) per slice; unstacking G heads
 * cost O(G × tensor)); ours read views of the heap, so a slice costs O(slice).
 *
 * Model code never asks which backend runs: it asks `backendKernels()` for what the backend
 * offers (lib/llm/kernels/kernels.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { nativeInfo, nativeUnavailableReason } from "./native";
import { installWasmKernels } from "./wasm";
import { initWebGpu, probeWebGpu, WebGpuAdapterInfo, webGpuAdapter } from "./webgpu";

/** The names `--backend` and HEPLLM_BACKEND accept. */
export const BACKEND_CHOICES = ["auto", "webgpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** What initBackend chose: the tfjs backend name, why, and the GPU when there is one. */
export interface BackendInfo {
  /** tfjs backend name: "webgpu", "tensorflow", "wasm" or "cpu". */
  name: string;
  /** One line: what was asked for and why this one, e.g. "auto: no hardware WebGPU adapter (...); tfjs-node-gpu: not installed". */
  reason: string;
  /** The WebGPU adapter (the GPU), on webgpu only. */
  adapter?: WebGpuAdapterInfo;
}

let chosen: Promise<string> | undefined;
let info: BackendInfo | undefined;

/** Checks a backend name from the command line or the environment. */
export function parseBackendChoice(value: string, source = "--backend"): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new Error(`${source}: unknown backend ${JSON.stringify(value)} (use ${BACKEND_CHOICES.join(", ")})`);
}

/** Initialises the backend (once) and returns its name; logs the choice on stderr. */
export function initBackend(prefer?: string): Promise<string> {
  const env = process.env.HEPLLM_BACKEND;
  if (!chosen) chosen = pick(prefer ?? env ?? "auto", prefer !== undefined ? "asked by the caller" : env ? "--backend / HEPLLM_BACKEND" : "default");
  return chosen;
}

/** The backend chosen by initBackend, with the reason and the adapter; undefined before. */
export function backendInfo(): BackendInfo | undefined {
  return info;
}

/**
 * What the computation runs on, for run metadata and logs: the current tfjs backend, with the GPU
 * adapter's name on webgpu (e.g. "webgpu: NVIDIA H200 (Dawn default)").
 */
export function deviceLabel(): string {
  const name = tf.getBackend();
  const a = name === "webgpu" ? webGpuAdapter() : undefined;
  return a ? `webgpu: ${a.name}${a.isSoftware ? " (software)" : ""} (Dawn ${a.dawnBackend})` : name;
}

async function pick(asked: string, source: string): Promise<string> {
  const choice = parseBackendChoice(asked, source);
  // "tensorflow" means either native package, GPU first.
  const order =
    choice === "auto" ? ["webgpu", "tensorflow-gpu", "tensorflow", "wasm", "cpu"] : choice === "tensorflow" ? ["tensorflow-gpu", "tensorflow"] : [choice];
  const failures: string[] = [];
  for (const name of order) {
    try {
      const got = await tryBackend(name, choice === "webgpu");
      if (got) {
        const adapter = got === "webgpu" ? webGpuAdapter() : undefined;
        const on = adapter ? ` on ${adapter.name}${adapter.isSoftware ? " (software adapter: correct but slow)" : ""} via Dawn ${adapter.dawnBackend}` : "";
        const why = failures.length ? `; ${failures.join("; ")}` : "";
        info = { name: got, reason: `${choice} (${source})${why}`, adapter };
        if (process.env.HEPLLM_QUIET_BACKEND !== "1") console.error(`hepllm: tfjs backend ${got}${on} [${info.reason}]`);
        return got;
      }
      failures.push(`${name}: not available`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(`no tfjs backend could be initialised (${failures.join("; ")})`);
}

/** Why each backend is or is not available here, without initialising any (for `hepllm backends`). */
export async function describeBackends(): Promise<{ name: BackendChoice; available: boolean; detail: string }[]> {
  const gpu = await probeWebGpu({ allowSoftware: true }); // a hardware adapter first, when there is one
  const a = gpu.adapter;
  const webgpu = a
    ? { available: true, detail: `${a.name} (${a.isSoftware ? "software" : "hardware"}, Dawn ${a.dawnBackend}, ${a.featureLevel})${a.isSoftware ? "; auto skips a software adapter: ask with --backend webgpu" : ""}` }
    : { available: false, detail: gpu.reasons.join("; ") };
  const native = (pkg: string): string | undefined => {
    try {
      require.resolve(pkg);
    } catch {
      return `${pkg} not installed`;
    }
    const pj = require(`${pkg}/package.json`) as { name: string };
    return pj.name === pkg ? undefined : `${pkg} is an npm alias of ${pj.name} (no native kernels)`;
  };
  const gpuWhy = native("@tensorflow/tfjs-node-gpu");
  const cpuWhy = native("@tensorflow/tfjs-node");
  let wasmWhy: string | undefined;
  try {
    require.resolve("@tensorflow/tfjs-backend-wasm");
  } catch {
    wasmWhy = "@tensorflow/tfjs-backend-wasm not installed";
  }
  // The matrix products under wasm: the native OpenBLAS addon when built (kernels/native.ts).
  const blas = nativeInfo();
  const products = blas ? `native GEMM (${blas.config.split("\n")[0]}, ${blas.threads} threads)` : `portable products (${nativeUnavailableReason() ?? "native addon not built"})`;
  return [
    { name: "webgpu", ...webgpu },
    { name: "tensorflow", available: !gpuWhy || !cpuWhy, detail: !gpuWhy ? "@tensorflow/tfjs-node-gpu (CUDA)" : !cpuWhy ? "@tensorflow/tfjs-node (CPU)" : `${gpuWhy}; ${cpuWhy}` },
    { name: "wasm", available: !wasmWhy, detail: wasmWhy ?? `XNNPACK on the CPU, with hepllm's wasm kernels; ${products}` },
    { name: "cpu", available: true, detail: "plain JavaScript (slow; for tests)" },
  ];
}

async function tryBackend(name: string, allowSoftwareGpu: boolean): Promise<string | undefined> {
  if (name === "webgpu") {
    await initWebGpu({ allowSoftware: allowSoftwareGpu });
    return "webgpu";
  }
  if (name === "tensorflow-gpu" || name === "tensorflow") {
    const pkg = name === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(pkg);
    // The alias of plain tfjs loads without error; only a real native binding registers this.
    let factory: unknown;
    try {
      factory = tf.findBackendFactory("tensorflow");
    } catch {
      factory = undefined;
    }
    if (!factory) throw new Error(`${pkg} loaded but registers no "tensorflow" backend (an alias of plain tfjs?)`);
    if (!(await tf.setBackend("tensorflow"))) return undefined;
    return "tensorflow";
  }
  if (name === "wasm") {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) return undefined;
    await tf.ready();
    installWasmSliceKernels();
    installWasmKernels(); // aliasing Identity/Cast, grouped products (wasm-kernels.ts)
    return "wasm";
  }
  if (name === "cpu") {
    if (!(await tf.setBackend("cpu"))) return undefined;
    return "cpu";
  }
  throw new Error(`unknown backend ${JSON.stringify(name)} (use ${BACKEND_CHOICES.join(", ")})`);
}

// ---- wasm slice kernels that read heap views instead of copying the whole input ----

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function fastSlice(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackendLike): tf.TensorInfo {
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  // makeOutput may grow the heap (detaching old views), so take views only afterwards.
  const out = backend.makeOutput(s, x.dtype);
  const xs = backend.typedArrayFromHeap(x);
  const os = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, b, s)) {
    const off = tf.slice_util.computeFlatOffset(b, strides);
    os.set(xs.subarray(off, off + tf.util.sizeFromShape(s)));
    return out;
  }
  // Copy innermost rows one at a time; the outer index walks s[0..rank-2] like an odometer.
  const inner = s[rank - 1];
  const idx = new Array(rank - 1).fill(0);
  const rows = tf.util.sizeFromShape(s.slice(0, rank - 1));
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    let off = b[rank - 1];
    for (let d = 0; d < rank - 1; d++) off += (b[d] + idx[d]) * strides[d];
    os.set(xs.subarray(off, off + inner), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < s[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

let installed = false;
function installWasmSliceKernels(): void {
  if (installed) return;
  installed = true;
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc): void => {
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  };
  replace("Slice", ({ inputs, attrs, backend }) =>
    fastSlice(inputs.x as tf.TensorInfo, attrs!.begin as number[], attrs!.size as number[], backend as unknown as WasmBackendLike),
  );
  replace("Unpack", ({ inputs, attrs, backend }) => {
    const x = inputs.value as tf.TensorInfo;
    const rank = x.shape.length;
    const axis = ((attrs!.axis as number) + rank) % rank;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array(rank).fill(0);
    const size = x.shape.slice();
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]; i++) {
      begin[axis] = i;
      const o = fastSlice(x, begin, size, backend as unknown as WasmBackendLike);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
    }
    return outs;
  });
  replace("SplitV", ({ inputs, attrs, backend }) => {
    const x = inputs.x as tf.TensorInfo;
    const axis = tf.util.parseAxisParam(attrs!.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs!.numOrSizeSplits as number[] | number, axis);
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = x.shape.slice();
      size[axis] = n;
      const o = fastSlice(x, begin, size, backend as unknown as WasmBackendLike);
      begin[axis] += n;
      return o;
    });
  });
}
