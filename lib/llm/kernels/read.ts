/**
 * Reading tensor values back to the host on every backend. On webgpu in Node a synchronous read
 * (`dataSync`, `arraySync`) is impossible (tfjs needs `OffscreenCanvas` for it), so code that
 * must also run there is written once as a generator: it yields each tensor whose values it needs
 * and is resumed with them (flat, row-major). `readSync` drives it with `dataSync` (wasm, cpu,
 * tensorflow: the old synchronous APIs stay), `readAsync` with `await data()` (every backend).
 * The driver disposes each yielded tensor after reading it.
 */
import * as tf from "@tensorflow/tfjs";
import { backendKernels } from "./kernels";

/** A computation that yields tensors to read and finally returns T. */
export type HostReads<T> = Generator<tf.Tensor, T, Float32Array>;

/** Runs `steps` reading synchronously (not on webgpu). */
export function readSync<T>(steps: HostReads<T>): T {
  try {
    let next = steps.next();
    while (!next.done) {
      const t = next.value as tf.Tensor; // (TypeScript 5.0, which tslab bundles, does not narrow this)
      const values = toF32(t.dataSync());
      t.dispose();
      next = steps.next(values);
    }
    return next.value;
  } finally {
    steps.return(undefined as T); // after a failed read: run the generator's finally blocks
  }
}

/** Runs `steps` reading with `await data()`: works on every backend, webgpu included. */
export async function readAsync<T>(steps: HostReads<T>): Promise<T> {
  try {
    let next = steps.next();
    while (!next.done) {
      const t = next.value as tf.Tensor; // (TypeScript 5.0, which tslab bundles, does not narrow this)
      const values = toF32(await t.data());
      t.dispose();
      backendKernels().checkErrors?.(); // webgpu: a rejected kernel surfaces here, not as wrong numbers
      next = steps.next(values);
    }
    return next.value;
  } finally {
    steps.return(undefined as T);
  }
}

function toF32(x: tf.DataTypeMap[tf.NumericDataType]): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x as ArrayLike<number>);
}

/**
 * Runs synchronous host code (a checkpoint or model save: `dataSync` of variables and of tensors
 * derived from them, such as transposes) on every backend. Where the backend cannot read
 * synchronously (webgpu), every variable and every tensor reachable from `roots` (e.g. a model:
 * its norms and weights) is first read with `await data()` (tfjs then keeps the values on the
 * host) and `f` runs with the cpu backend current, so derived tensors are computed on the host
 * from those values; tensors move back to the device on their next use there.
 */
export async function onHost<T>(f: () => T, roots: object[] = []): Promise<T> {
  if (backendKernels().syncReads) return f();
  const device = tf.getBackend();
  const tensors = [...Object.values(tf.engine().registeredVariables), ...reachableTensors(roots)];
  await Promise.all(tensors.map((t) => (t.isDisposed ? undefined : t.data())));
  await tf.setBackend("cpu");
  try {
    return f();
  } finally {
    await tf.setBackend(device);
  }
}

/** Every tensor reachable through the own properties, arrays and maps of `roots` (each object visited once). */
function reachableTensors(roots: object[]): tf.Tensor[] {
  const seen = new Set<unknown>();
  const out: tf.Tensor[] = [];
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== "object" || seen.has(x) || ArrayBuffer.isView(x)) return;
    seen.add(x);
    if (x instanceof tf.Tensor) {
      out.push(x);
      return;
    }
    const values = x instanceof Map ? [...x.values()] : Array.isArray(x) ? x : Object.values(x);
    for (const v of values) visit(v);
  };
  roots.forEach(visit);
  return out;
}
