/**
 * Extra wasm kernels for the training step (installed by backend.ts next to the slice kernels):
 *
 * - Identity and same-dtype Cast share the input's data under a reference count (as the cpu
 *   backend does) instead of copying it. tfjs clones every tensor it saves for a backward pass
 *   through Identity (Add and Reshape save their inputs just for their shapes) and casts the
 *   operands in Mul/Div gradients, so stock wasm copied most activations once or twice per
 *   step. Exact: tensors are immutable.
 * - `groupMatMul` a [G,M,K] · b [G,K,N]: one native plain 2-D product (the XNNPACK path) per group
 *   on views of the operands' heap memory, writing straight into the [G,M,N] output — what
 *   bmm did with unstack → G products → stack, minus the copies and G engine calls.
 * - `HepllmExpandBf16` (kernels/expand-bf16.ts): bfloat16 host bits expanded straight into the
 *   output's heap memory, with no float32 copy on the JS side.
 */
import * as tf from "@tensorflow/tfjs";
import { installNativeKernels, nativeFused } from "./native";
import { bf16ToF32 } from "../io/half";
import { EXPAND_BF16 } from "./expand-bf16";
import { nativeScoring } from "./native-score";

/** Kernel name of the grouped product (wasm only; no gradient: call it outside a tape). */
export const GROUP_MATMUL = "HepllmGroupMatMul";

interface WasmBackend {
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  incRef(dataId: unknown): void;
}

function alias(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let nativeMatMul: ((...args: unknown[]) => void) | undefined;

function groupMatMulKernel(a: tf.TensorInfo, b: tf.TensorInfo, backend: WasmBackend): tf.TensorInfo {
  const [g, m, k] = a.shape;
  const n = b.shape[2];
  if (a.dtype !== "float32" || b.dtype !== "float32" || b.shape[0] !== g || b.shape[1] !== k) {
    throw new Error(`${GROUP_MATMUL}: expected float32 [G,M,K]·[G,K,N], got ${a.dtype} [${a.shape}] · ${b.dtype} [${b.shape}]`);
  }
  // The stock BatchMatMul entry point, called with batch 1 per group: its XNNPACK branch.
  nativeMatMul ??= backend.wasm.cwrap("BatchMatMul", null, ["number", "array", "number", "number", "array", "number", "number", "number", "number"]);
  const out = backend.makeOutput([g, m, n], "float32"); // may grow the heap: offsets are read after
  const aOff = backend.dataIdMap.get(a.dataId).memoryOffset;
  const bOff = backend.dataIdMap.get(b.dataId).memoryOffset;
  const oOff = backend.dataIdMap.get(out.dataId).memoryOffset;
  const shape = (r: number, c: number): Uint8Array => new Uint8Array(new Int32Array([1, r, c]).buffer);
  const aShape = shape(m, k);
  const bShape = shape(k, n);
  const reg = backend.wasm.tfjs;
  for (let i = 0; i < g; i++) {
    // Fresh ids for the views (XNNPACK caches a packed right-hand side by its id until disposed).
    const ids = [backend.dataIdNextNumber++, backend.dataIdNextNumber++, backend.dataIdNextNumber++];
    reg.registerTensor(ids[0], m * k, aOff + 4 * i * m * k);
    reg.registerTensor(ids[1], k * n, bOff + 4 * i * k * n);
    reg.registerTensor(ids[2], m * n, oOff + 4 * i * m * n);
    nativeMatMul(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
    for (const id of ids) reg.disposeData(id); // forgets the view only: the memory belongs to a, b, out
  }
  return out;
}

let installed = false;

/** Registers the kernels above on the wasm backend (once). */
export function installWasmKernels(): void {
  if (installed) return;
  installed = true;
  const stockCast = tf.getKernel("Cast", "wasm")!.kernelFunc;
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc): void => {
    tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  };
  replace("Identity", ({ inputs, backend }) => alias(inputs.x as tf.TensorInfo, backend));
  replace("Cast", (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    return x.dtype === args.attrs!.dtype ? alias(x, args.backend) : stockCast(args);
  });
  tf.registerKernel({
    kernelName: EXPAND_BF16,
    backendName: "wasm",
    kernelFunc: ({ attrs, backend }) => {
      const { bits, shape } = attrs as unknown as { bits: Uint16Array; shape: number[] };
      const out = (backend as unknown as WasmBackend).makeOutput(shape, "float32");
      bf16ToF32(bits, (backend as unknown as WasmBackend).typedArrayFromHeap(out)); // view taken after the allocation
      return out;
    },
  });
  tf.registerKernel({
    kernelName: GROUP_MATMUL,
    backendName: "wasm",
    kernelFunc: ({ inputs, backend }) => groupMatMulKernel(inputs.a as tf.TensorInfo, inputs.b as tf.TensorInfo, backend as unknown as WasmBackend),
  });
  installNativeKernels(GROUP_MATMUL); // OpenBLAS products on the heap when native/ is built (native.ts)
}

/** Whether `groupMatMul` can run on the current backend. */
export function hasGroupMatMul(): boolean {
  return installed && tf.getBackend() === "wasm";
}

/** The wasm entry of lib/llm/kernels/kernels.ts: grouped native products; split large groups. */
export const WASM_KERNELS = {
  get groupMatMul() {
    return installed ? groupMatMul : undefined;
  },
  splitGroupProducts: true,
  syncReads: true,
  get fused() {
    return nativeFused();
  },
  get scoring() {
    return nativeScoring();
  },
};

/** a [G,M,K] · b [G,K,N] → [G,M,N] by per-group native products (wasm; outside a gradient tape). */
export function groupMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.engine().runKernel(GROUP_MATMUL, { a, b }, {}) as tf.Tensor3D;
}
