/**
 * Tests run tfjs on the wasm backend, the one hepllm uses on a machine without tfjs-node: some
 * gradients exist on cpu but not on wasm, so training code must be proven there.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

export async function useWasm(): Promise<void> {
  if (tf.getBackend() !== "wasm") {
    const ok = await tf.setBackend("wasm");
    if (!ok) throw new Error("the wasm tfjs backend did not initialise");
  }
  await tf.ready();
}
