/**
 * WebGPU adapter choice (lib/llm/kernels/webgpu.ts): software rasterisers are recognised by name
 * and never taken unless asked for; with them allowed, the Debian Mesa packages alone (llvmpipe
 * through Dawn's OpenGL ES back end) give an adapter with no environment set by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { isSoftwareAdapter, probeWebGpu } from "../../../lib/llm/kernels/webgpu";
import { initBackend } from "../../../lib/llm/kernels/backend";
import { readAsync } from "../../../lib/llm/kernels/read";
import { skipOrFail } from "../../support/shared";

test("software adapters are recognised by the fallback flag or the driver's name", () => {
  const info = (device: string, description = "", vendor = "", isFallbackAdapter?: boolean) => ({ device, description, vendor, isFallbackAdapter });
  for (const sw of [info("llvmpipe-llvm-15-0-6-256-bits-", "OpenGL version OpenGL ES 3.2 Mesa 22.3.6"), info("llvmpipe (LLVM 17.0.6, 256 bits)", "Mesa 24.1 lavapipe"), info("SwiftShader Device (Subzero)", "", "google"), info("Microsoft Basic Render Driver"), info("whatever", "", "", true)]) {
    assert.ok(isSoftwareAdapter(sw), JSON.stringify(sw));
  }
  for (const hw of [info("NVIDIA H200", "NVIDIA 550.54", "nvidia"), info("AMD Radeon RX 7900 XTX (RADV NAVI31)", "radv Mesa 24.0", "amd"), info("Apple M2 Max", "", "apple"), info("Intel(R) Arc(tm) A770 Graphics (DG2)", "Intel open-source Mesa driver", "intel")]) {
    assert.ok(!isSoftwareAdapter(hw), JSON.stringify(hw));
  }
});

test("auto's probe never returns a software adapter; an explicit one finds the adapter by itself", async (t) => {
  const saved = process.env.EGL_PLATFORM;
  delete process.env.EGL_PLATFORM; // hepllm must set what Mesa's EGL needs itself
  const hw = await probeWebGpu({ allowSoftware: false });
  assert.ok(!hw.adapter?.isSoftware, `auto would take ${hw.adapter?.name}`);
  const any = await probeWebGpu({ allowSoftware: true });
  if (saved !== undefined) process.env.EGL_PLATFORM = saved;
  if (!any.adapter) return skipOrFail(t, `no WebGPU adapter here (${any.reasons.join("; ")}); on Debian install libegl-mesa0 libgles2 and the npm packages webgpu, @tensorflow/tfjs-backend-webgpu`);
  if (!hw.adapter) assert.ok(any.adapter.isSoftware, "a hardware adapter must also be found without allowSoftware");
  assert.ok(any.adapter.name.length > 0 && any.adapter.limits.maxBufferSize > 0);
  t.diagnostic(`${any.adapter.name} (${any.adapter.isSoftware ? "software" : "hardware"}, Dawn ${any.adapter.dawnBackend}, ${any.adapter.featureLevel}); reasons: ${any.reasons.join("; ") || "none"}`);
});

test("webgpu kernels: AddN over more inputs than a shader may bind is exact; a rejected command makes the next read throw", async (t) => {
  let reason: string | undefined;
  await initBackend("webgpu").catch((err: Error) => (reason = err.message));
  if (reason) return skipOrFail(t, `no WebGPU backend here: ${reason}`);
  // 37 inputs (the LoRA + fusion gradient norm's count) vs 8 storage buffers per stage: Σ_{i=1..37} i = 703.
  function* sum(): Generator<tf.Tensor, number[], Float32Array> {
    return Array.from(yield tf.addN(Array.from({ length: 37 }, (_, i) => tf.fill([3], i + 1))));
  }
  assert.deepEqual(await readAsync(sum()), [703, 703, 703]);
  (tf.backend() as unknown as { device: { createBuffer(d: object): unknown } }).device.createBuffer({ size: 4, usage: 0 }); // invalid: reported out of band
  await assert.rejects(readAsync(sum()), /WebGPU rejected a kernel, so results are wrong: Buffer usages must not be 0/);
  assert.deepEqual(await readAsync(sum()), [703, 703, 703], "reported once");
});
