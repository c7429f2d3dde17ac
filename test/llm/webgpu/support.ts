/**
 * The WebGPU conformance tests run the same checks as the wasm ones on the "webgpu" tfjs backend,
 * over whatever adapter `initBackend("webgpu")` finds (in CI: Mesa's llvmpipe through Dawn's
 * OpenGL ES back end, from the Debian packages .ci/run installs). Each test file is its own
 * process with one backend, so these files never share a process with the wasm tests.
 *
 * Without an adapter (or without the npm packages `webgpu` and `@tensorflow/tfjs-backend-webgpu`)
 * a test skips with the reason; with env CI set it fails instead.
 *
 * Tolerances (documented in README "Running on a GPU"): a software or hardware GPU sums in a
 * different order than wasm/PyTorch, and its exp/log/rsqrt are not correctly rounded, so results
 * are compared to the references a little more loosely than on wasm (measured values in comments).
 */
import { TestContext } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/llm/kernels/backend";
import { webGpuAdapter } from "../../../lib/llm/kernels/webgpu";
import { skipOrFail } from "../../support/shared";

let ready: Promise<string | undefined> | undefined;

/** Starts the webgpu backend once per process; undefined when it runs, else the reason it can't. */
function start(): Promise<string | undefined> {
  ready ??= initBackend("webgpu").then(
    (name) => (name === "webgpu" && tf.getBackend() === "webgpu" ? undefined : `the webgpu backend did not start (got ${name})`),
    (err: Error) => `no WebGPU backend here: ${err.message} (install the npm packages webgpu and @tensorflow/tfjs-backend-webgpu and, on Debian, libegl-mesa0 libgles2)`,
  );
  return ready;
}

/** In a test: true when the webgpu backend runs; otherwise skips the test (fails it in CI) and returns false. */
export async function onWebGpu(t: TestContext): Promise<boolean> {
  const reason = await start();
  if (reason === undefined) return true;
  skipOrFail(t, reason);
  return false;
}

/** The adapter's name for messages, e.g. "llvmpipe-llvm-15-0-6-256-bits-". */
export function adapterName(): string {
  return webGpuAdapter()?.name ?? "no adapter";
}

/** A tensor's values as nested arrays, read asynchronously (webgpu has no synchronous read in Node). */
export async function read<T = number[][][]>(x: tf.Tensor): Promise<T> {
  const v = (await x.array()) as T;
  x.dispose();
  return v;
}
