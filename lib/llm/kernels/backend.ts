/**
 * Picks the TensorFlow.js backend once per process: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, then wasm, then cpu, whichever loads first; `HEPLLM_BACKEND`
 * (tensorflow | wasm | cpu) overrides. A native package only counts when it really registers the
 * "tensorflow" backend: here node_modules/@tensorflow/tfjs-node is an npm alias of plain tfjs,
 * which loads fine but brings no native kernels.
 *
 * On wasm it also replaces three kernels (Slice, Unpack, SplitV) whose stock versions copy the
 * whole input tensor out of the wasm heap for every slice (O(input) per slice; unstacking G heads
 * cost O(G × tensor)); ours read views of the heap, so a slice costs O(slice).
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmKernels } from "./wasm";

let chosen: Promise<string> | undefined;

/** Initialises the backend (once) and returns its name; logs the choice on stderr. */
export function initBackend(prefer?: string): Promise<string> {
  if (!chosen) chosen = pick(prefer ?? process.env.HEPLLM_BACKEND);
  return chosen;
}

async function pick(prefer: string | undefined): Promise<string> {
  // "tensorflow" means either native package, GPU first.
  const order = !prefer ? ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] : prefer === "tensorflow" ? ["tensorflow-gpu", "tensorflow"] : [prefer];
  const failures: string[] = [];
  for (const name of order) {
    try {
      const got = await tryBackend(name);
      if (got) {
        if (process.env.HEPLLM_QUIET_BACKEND !== "1") console.error(`hepllm: tfjs backend ${got}${prefer ? " (HEPLLM_BACKEND)" : ""}`);
        return got;
      }
      failures.push(`${name}: not available`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(`no tfjs backend could be initialised (${failures.join("; ")})`);
}

async function tryBackend(name: string): Promise<string | undefined> {
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
  throw new Error(`unknown backend ${JSON.stringify(name)} (use tensorflow, wasm or cpu)`);
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
