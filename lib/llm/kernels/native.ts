/**
 * Native matrix products for the wasm backend: when `native/build/hepllm_native.node` is built
 * (scripts/build-native.js at install: an N-API addon over OpenBLAS), the wasm backend's
 * `BatchMatMul` (every tf.matMul), `_FusedMatMul` (tf.fused.matMul: bias and activation) and
 * the grouped attention product (wasm.ts) run as BLAS sgemm calls directly on the wasm heap —
 * operands read and the output written in place, no copies — on `threads` cores. Transposes are
 * BLAS flags (free), where wasm's BatchMatMul leaves XNNPACK for a ~10× slower loop. The
 * explicit `Transpose` op becomes a cache-blocked native copy too (stock wasm: ~0.7 GB/s on
 * 2-D transposes, 15–20 % of a training step once the products are native).
 *
 * The addon also carries fused training blocks (native-fused.ts over native/fused.cc: RMSNorm,
 * SwiGLU, attention with RoPE, the LoRA projection, AdamW), offered to model code as
 * `backendKernels().fused` while these kernels are active (HEPLLM_NATIVE_FUSED=0: products only).
 *
 * Without the addon (no compiler or BLAS at install, or HEPLLM_NATIVE=0) the stock wasm kernels
 * stay, and one line on stderr says so and how to get the fast path. Results agree with the wasm
 * path to float32 rounding (test/llm/kernels/native-gemm.test.ts: ≤ 1e-5 relative).
 *
 * Threads: `HEPLLM_THREADS` (set by `hepllm --threads N`), default every core
 * (os.availableParallelism()). One BLAS pool per process, shared by its worker threads. Results
 * repeat bit for bit at a fixed thread count; between counts they differ at float32 rounding
 * (OpenBLAS splits the work differently; measured ≤ 5e-5 on products of size ~10).
 */
import * as os from "node:os";
import { isMainThread } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_ADDON as ADDON_PATH, nativeAddon, nativeAddonUnavailable } from "../../util/native-addon";
import { FUSED, FusedAddon, FusedKernels, registerFusedKernels } from "./native-fused";

/** The addon's exports (native/gemm.cc and native/fused.cc document the arguments). */
interface NativeAddon extends FusedAddon {
  sgemm(
    heap: ArrayBuffer, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
    aOff: number, aStride: number, bOff: number, bStride: number, cOff: number,
    biasOff: number, biasLen: number, activation: number, alpha: number,
  ): void;
  transpose(heap: ArrayBuffer, xOff: number, outOff: number, shape: number[], perm: number[]): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

/** The parts of tfjs-backend-wasm's BackendWasm used here. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

/** Where scripts/build-native.js puts the addon (repository root/native/build; loaded by lib/util/native-addon.ts). */
export const NATIVE_ADDON = ADDON_PATH;
const HOW = "install g++ and libopenblas-dev, then npm run build:native";

/** Activation codes of native/gemm.cc, by tfjs's fused activation name (prelu: stock kernel). */
const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

let addon: NativeAddon | undefined;
let unavailable: string | undefined; // why the addon is not used, once tried
let told = false;

/** The BLAS thread count asked for: HEPLLM_THREADS (a whole number ≥ 1), else every core. */
export function requestedThreads(): number {
  const v = process.env.HEPLLM_THREADS;
  if (v === undefined || v === "") return os.availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`HEPLLM_THREADS must be a whole number >= 1, got ${JSON.stringify(v)}`);
  return n;
}

/** The addon, loaded once; undefined (with the reason kept) when disabled or not built. */
export function loadNativeAddon(): NativeAddon | undefined {
  if (addon || unavailable) return addon;
  if (process.env.HEPLLM_NATIVE === "0") {
    unavailable = "HEPLLM_NATIVE=0";
    return undefined;
  }
  const threads = requestedThreads(); // a bad HEPLLM_THREADS is an error, not a quiet fallback
  addon = nativeAddon<NativeAddon>();
  if (!addon || typeof addon.sgemm !== "function") {
    // An addon built without a BLAS holds the jet clustering only (scripts/build-native.js).
    unavailable = addon ? "native addon built without a BLAS" : nativeAddonUnavailable();
    addon = undefined;
    return undefined;
  }
  addon.setThreads(threads);
  return addon;
}

/** Why the native path is off (undefined while it is on or not yet tried). */
export function nativeUnavailableReason(): string | undefined {
  return unavailable;
}

/** The BLAS pool's size and the library's description, or undefined without the addon. */
export function nativeInfo(): { threads: number; config: string } | undefined {
  const a = loadNativeAddon();
  return a && { threads: a.threads(), config: a.config().trim() };
}

/** Resizes the BLAS thread pool (benchmarks; the CLI sets HEPLLM_THREADS before loading). */
export function setNativeThreads(n: number): void {
  loadNativeAddon()?.setThreads(n);
}

// ---- the kernels ----

type Stock = Record<string, tf.KernelFunc>;
const stock: Stock = {};
let groupKernelName = "";
let active = false;

function offsetOf(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/**
 * out[i] = act(op(a[i]) · op(b[i]) + bias) on the heap; a's and b's leading dims flattened to a
 * batch, broadcast when one side's batch is 1. Returns undefined when the shapes need a broadcast
 * the flat batch cannot express (the caller then uses the stock kernel).
 */
function product(
  backend: WasmHeapBackend, a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean,
  bias?: tf.TensorInfo, activation = 0, alpha = 0,
): tf.TensorInfo | undefined {
  const ar = a.shape.length;
  const br = b.shape.length;
  const k = ta ? a.shape[ar - 2] : a.shape[ar - 1];
  const m = ta ? a.shape[ar - 1] : a.shape[ar - 2];
  const kb = tb ? b.shape[br - 1] : b.shape[br - 2];
  const n = tb ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${ta} and transposeB=${tb} must match.`);
  }
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = tf.util.sizeFromShape(outer);
  if (batch !== Math.max(batchA, batchB) || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return undefined;
  if (!(backend.wasm.HEAPU8.buffer instanceof ArrayBuffer)) return undefined; // a threaded (shared) heap: not supported
  const out = backend.makeOutput([...outer, m, n], "float32");
  // makeOutput may grow the heap (a new buffer): take the buffer and offsets only now.
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.sgemm(
    heap, batch, m, n, k, ta, tb,
    offsetOf(backend, a), batchA === 1 ? 0 : m * k, offsetOf(backend, b), batchB === 1 ? 0 : k * n, offsetOf(backend, out),
    bias ? offsetOf(backend, bias) : -1, bias ? bias.shape[0] : 0, activation, alpha,
  );
  return out;
}

const batchMatMul: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  if (a.dtype !== "float32" || b.dtype !== "float32") return stock.BatchMatMul(args);
  return product(args.backend as unknown as WasmHeapBackend, a, b, transposeA, transposeB) ?? stock.BatchMatMul(args);
};

const fusedMatMul: tf.KernelFunc = (args) => {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
  const act = ACTIVATIONS[attrs.activation];
  const n = attrs.transposeB ? b!.shape[b!.shape.length - 2] : b!.shape[b!.shape.length - 1];
  const plainBias = !bias || (bias.dtype === "float32" && bias.shape.length <= 1 && (tf.util.sizeFromShape(bias.shape) === 1 || bias.shape[0] === n));
  const prelu = attrs.activation === "prelu" && preluActivationWeights?.dtype === "float32";
  if (a!.dtype !== "float32" || b!.dtype !== "float32" || (act === undefined && !prelu) || !plainBias) return stock._FusedMatMul(args);
  const backend = args.backend as unknown as WasmHeapBackend & { disposeData(dataId: unknown): void };
  const flatBias = bias && { ...bias, shape: [tf.util.sizeFromShape(bias.shape)] };
  const out = product(backend, a!, b!, attrs.transposeA, attrs.transposeB, flatBias, act ?? 0, attrs.leakyreluAlpha ?? 0);
  if (!out) return stock._FusedMatMul(args);
  if (!prelu) return out;
  // PReLU: the backend's own kernel on the product (its weights broadcast like any binary op).
  const y = tf.getKernel("Prelu", "wasm")!.kernelFunc({ inputs: { x: out, alpha: preluActivationWeights! }, backend: args.backend, attrs: {} });
  backend.disposeData(out.dataId);
  return y;
};

const groupMatMul: tf.KernelFunc = (args) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  if (a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== b.shape[0]) {
    return stock[groupKernelName](args); // its error message
  }
  return product(args.backend as unknown as WasmHeapBackend, a, b, false, false)!;
};

/** Transpose of 4-byte elements as cache-blocked copies (stock wasm: ~0.7 GB/s on [512,256]ᵀ). */
const transpose: tf.KernelFunc = (args) => {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = args.attrs!.perm as number[];
  const backend = args.backend as unknown as WasmHeapBackend;
  if ((x.dtype !== "float32" && x.dtype !== "int32") || !(backend.wasm.HEAPU8.buffer instanceof ArrayBuffer)) return stock.Transpose(args);
  const out = backend.makeOutput(perm.map((p) => x.shape[p]), x.dtype);
  addon!.transpose(backend.wasm.HEAPU8.buffer as ArrayBuffer, offsetOf(backend, x), offsetOf(backend, out), x.shape, perm);
  return out;
};

const NATIVE: Record<string, tf.KernelFunc> = { BatchMatMul: batchMatMul, _FusedMatMul: fusedMatMul, Transpose: transpose };

function register(kernelName: string, kernelFunc: tf.KernelFunc): void {
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
}

/**
 * Puts the native products in place of the wasm backend's (called once by wasm.ts's
 * installWasmKernels, after it registered `groupKernel`). Without the addon it leaves the
 * stock kernels and says so once, in one line on stderr.
 */
export function installNativeKernels(groupKernel: string): void {
  if (groupKernelName) return;
  groupKernelName = groupKernel;
  for (const name of [...Object.keys(NATIVE), groupKernel]) stock[name] = tf.getKernel(name, "wasm")!.kernelFunc;
  if (!loadNativeAddon()) {
    if (!told && isMainThread && process.env.HEPLLM_QUIET_BACKEND !== "1") {
      console.error(`hepllm: matrix products on the portable wasm path (${unavailable}); for the native multi-threaded one: ${HOW}`);
    }
    told = true;
    return;
  }
  const a = loadNativeAddon()!;
  // An addon built before native/fused.cc has none; a threaded (shared) heap is not supported.
  const heap = (tf.findBackend("wasm") as unknown as WasmHeapBackend | null)?.wasm.HEAPU8.buffer;
  fusedBuilt = typeof a.loraLinearGrad === "function" && heap instanceof ArrayBuffer;
  if (fusedBuilt) registerFusedKernels(a);
  useNativeKernels(true);
}

/**
 * Switches between the native and the stock wasm products (tests and benchmarks compare the
 * two in one process); returns whether the native ones are now in place.
 */
export function useNativeKernels(on: boolean): boolean {
  if (!groupKernelName) throw new Error("useNativeKernels: the wasm backend is not initialised (initBackend('wasm') first)");
  if (on && !loadNativeAddon()) return false;
  if (on === active) return active;
  for (const name of Object.keys(NATIVE)) register(name, on ? NATIVE[name] : stock[name]);
  register(groupKernelName, on ? groupMatMul : stock[groupKernelName]);
  active = on;
  return active;
}

/** Whether the wasm backend's products run natively now. */
export function nativeKernelsActive(): boolean {
  return active;
}

let fusedOn = process.env.HEPLLM_NATIVE_FUSED !== "0";
let fusedBuilt = false;

/**
 * The fused training blocks (native-fused.ts) while the native kernels are active and not
 * switched off (`useFusedKernels(false)` or HEPLLM_NATIVE_FUSED=0: benchmarks and tests
 * compare the two); undefined otherwise, and model code then runs plain tfjs ops.
 */
export function nativeFused(): FusedKernels | undefined {
  return active && fusedOn && fusedBuilt ? FUSED : undefined;
}

/** Switches the fused blocks on or off (the native products stay); returns the previous setting. */
export function useFusedKernels(on: boolean): boolean {
  const was = fusedOn;
  fusedOn = on;
  return was;
}
