/**
 * Model tests run on the production backend set-up: `initBackend("wasm")` from lib/llm/kernels/backend.ts,
 * which also installs hepllm's custom wasm kernels (heap-view Slice/Unpack/SplitV, aliasing
 * Identity/Cast, grouped products), so the kernels training really uses are the ones tested.
 * Pinned to wasm rather than initBackend()'s first choice: that is wasm wherever no native
 * tfjs-node is installed (here, CI), and wasm is where some gradients are missing that exist on
 * cpu, so training code must be proven there; on a machine with tfjs-node the native backend has
 * its own tests (test/llm/backend.test.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/llm/kernels/backend";

export async function useWasm(): Promise<void> {
  const name = await initBackend("wasm");
  if (name !== "wasm" || tf.getBackend() !== "wasm") throw new Error(`the wasm tfjs backend did not initialise (got ${name})`);
  await tf.ready();
}
