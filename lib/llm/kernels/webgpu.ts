/**
 * The WebGPU backend in Node: Dawn (npm `webgpu`) under `@tensorflow/tfjs-backend-webgpu`.
 *
 * We pick the adapter ourselves and hand tfjs a ready device, instead of letting the tfjs package
 * call `navigator.gpu.requestAdapter` (Node has no `navigator.gpu`): Dawn's back ends are tried
 * in order — its default (Vulkan on Linux, Metal on macOS, D3D12 on Windows), then OpenGL ES
 * through EGL (Mesa's llvmpipe on a machine with only `libegl-mesa0 libgles2`, "compatibility"
 * feature level, headless: EGL_PLATFORM=surfaceless). A software adapter (llvmpipe, lavapipe,
 * SwiftShader, WARP) is taken only when `allowSoftware` is set (an explicit `--backend webgpu`),
 * never by `auto`.
 *
 * Reading a tensor synchronously (`dataSync`, `arraySync`) needs `OffscreenCanvas` on this
 * backend, which Node lacks: code that may run here reads with `await t.data()` (after which the
 * values are cached on the host, so a later `dataSync` of the same tensor works).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";

/** What the chosen adapter is; goes into the run's metadata and log. */
export interface WebGpuAdapterInfo {
  /** A readable name: the device string (e.g. "NVIDIA H200", "llvmpipe-llvm-15-0-6-256-bits-"). */
  name: string;
  /** Driver description (e.g. "OpenGL version OpenGL ES 3.2 Mesa 22.3.6"). */
  description: string;
  vendor: string;
  architecture: string;
  /** The Dawn back end the adapter came from: "default" (Vulkan/Metal/D3D12) or "opengles". */
  dawnBackend: DawnBackend;
  /** "core" WebGPU or the reduced "compatibility" level (OpenGL ES). */
  featureLevel: "core" | "compatibility";
  /** A CPU rasteriser posing as a GPU: correct but slow (~5 GFLOP/s), for tests only. */
  isSoftware: boolean;
  /** The adapter's limits that bound tensor sizes (bytes, counts). */
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number };
  features: string[];
}

export type DawnBackend = "default" | "opengles";

/** The outcome of looking for an adapter: the one found (if any) and why each back end failed. */
export interface WebGpuProbe {
  adapter?: WebGpuAdapterInfo;
  /** One line per Dawn back end that gave nothing usable, e.g. "opengles: software adapter (llvmpipe) skipped". */
  reasons: string[];
}

/** Device strings of software rasterisers (Mesa llvmpipe/lavapipe/softpipe, SwiftShader, Microsoft WARP). */
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|warp/i;

/** Whether an adapter is a CPU rasteriser (by WebGPU's fallback flag, or by its driver's name). */
export function isSoftwareAdapter(info: { device: string; description: string; vendor: string; isFallbackAdapter?: boolean }): boolean {
  return info.isFallbackAdapter === true || SOFTWARE.test(`${info.device} ${info.description} ${info.vendor}`);
}

// ---- the npm packages, loaded lazily: they are optional dependencies ----

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(opts?: Record<string, unknown>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  limits: Record<string, number>;
  features: Set<string>;
  requestDevice(desc?: Record<string, unknown>): Promise<unknown>;
}

function loadDawn(): DawnModule {
  const name = "webgpu"; // through a variable: the package is optional, and absent from type checking
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(name) as DawnModule;
  } catch (err) {
    throw new Error(`the npm package "webgpu" (Dawn for Node) is not installed (${(err as Error).message.split("\n")[0]})`);
  }
}

interface Found {
  gpu: GpuLike;
  adapter: AdapterLike;
  info: WebGpuAdapterInfo;
}

let dawn: DawnModule | undefined;

/** Looks for an adapter without initialising tfjs. Never throws: failures land in `reasons`. */
export async function probeWebGpu(opts: { allowSoftware: boolean }): Promise<WebGpuProbe> {
  const reasons: string[] = [];
  const found = await findAdapter(opts.allowSoftware, reasons);
  return { adapter: found?.info, reasons };
}

async function findAdapter(allowSoftware: boolean, reasons: string[]): Promise<Found | undefined> {
  try {
    dawn ??= loadDawn();
  } catch (err) {
    reasons.push((err as Error).message);
    return undefined;
  }
  let software: Found | undefined;
  // Hardware GPUs all have a native API (Vulkan/Metal/D3D12); OpenGL ES is only worth trying
  // when a software adapter is acceptable (it costs ~0.2 s and prints Dawn's limit warnings).
  const backends: DawnBackend[] = allowSoftware ? ["default", "opengles"] : ["default"];
  for (const backend of backends) {
    const missing = missingLibrary(backend);
    if (missing) {
      reasons.push(`${backend}: ${missing}`);
      continue;
    }
    let found: Found | undefined;
    try {
      found = await adapterFrom(dawn, backend);
    } catch (err) {
      reasons.push(`${backend}: ${(err as Error).message.split("\n")[0]}`);
      continue;
    }
    if (!found) {
      reasons.push(`${backend}: no adapter`);
      continue;
    }
    if (!found.info.isSoftware) return found;
    // A hardware adapter on a later back end still beats a software one on an earlier one.
    reasons.push(`${backend}: software adapter (${found.info.name})${allowSoftware ? "" : " skipped: auto never picks one; ask with --backend webgpu"}`);
    software ??= found;
  }
  return allowSoftware ? software : undefined;
}

/** Library directories of Linux distributions (Debian multiarch, Fedora, generic). */
const LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/lib/x86_64-linux-gnu", "/lib64"];

/**
 * On Linux, the loader library a Dawn back end needs, when it is nowhere to be found: Dawn would
 * only print a warning and find no adapter. Checked by file so the reason reads plainly.
 */
function missingLibrary(backend: DawnBackend): string | undefined {
  if (process.platform !== "linux") return undefined;
  const lib = backend === "default" ? "libvulkan.so.1" : "libEGL.so.1";
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean), ...LIB_DIRS];
  if (dirs.some((d) => fs.existsSync(path.join(d, lib)))) return undefined;
  const pkg = backend === "default" ? "a Vulkan driver (Debian: libvulkan1 + the GPU's driver)" : "Mesa's EGL (Debian: libegl-mesa0 libgles2)";
  return `${lib} not found: install ${pkg}`;
}

async function adapterFrom(d: DawnModule, backend: DawnBackend): Promise<Found | undefined> {
  // Mesa's EGL without a display server: set here so that nobody has to export it by hand.
  if (backend === "opengles") process.env.EGL_PLATFORM ??= "surfaceless";
  const gpu = d.create(backend === "opengles" ? ["backend=opengles"] : []);
  let level: "core" | "compatibility" = "core";
  let adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    // OpenGL ES only offers the compatibility feature level.
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance", featureLevel: "compatibility" });
    level = "compatibility";
  }
  if (!adapter) return undefined;
  const i = adapter.info;
  const name = i.device || i.description || `${i.vendor} ${i.architecture}`.trim() || "unknown adapter";
  const isSoftware = isSoftwareAdapter(i);
  const l = adapter.limits;
  return {
    gpu,
    adapter,
    info: {
      name,
      description: i.description,
      vendor: i.vendor,
      architecture: i.architecture,
      dawnBackend: backend,
      featureLevel: level,
      isSoftware,
      limits: {
        maxBufferSize: l.maxBufferSize,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      },
      features: [...adapter.features].sort(),
    },
  };
}

/**
 * The webgpu entry of lib/llm/kernels/kernels.ts: plain tfjs ops (its batched MatMul is one
 * dispatch for all groups, so splitting them into 2-D products would only add dispatches), and
 * no synchronous reads in Node.
 */
export const WEBGPU_KERNELS = { splitGroupProducts: false, syncReads: false, checkErrors: throwDeviceError };

let deviceError: string | undefined;

/** Throws the first error the device reported since the last check (then forgets it). */
function throwDeviceError(): void {
  const e = deviceError;
  if (e === undefined) return;
  deviceError = undefined;
  throw new Error(`WebGPU rejected a kernel, so results are wrong: ${e}`);
}

let active: WebGpuAdapterInfo | undefined;

/** The adapter tfjs runs on, once `initWebGpu` has succeeded (else undefined). */
export function webGpuAdapter(): WebGpuAdapterInfo | undefined {
  return active;
}

/**
 * Finds an adapter, registers the tfjs "webgpu" backend on a device from it and makes it the
 * current backend. Throws with every back end's reason when no usable adapter is found.
 */
export async function initWebGpu(opts: { allowSoftware: boolean }): Promise<WebGpuAdapterInfo> {
  if (active) return active;
  const reasons: string[] = [];
  const found = await findAdapter(opts.allowSoftware, reasons);
  if (!found) throw new Error(`no WebGPU adapter (${reasons.join("; ")})`);
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode, ... as globals at run time.
  Object.assign(globalThis, dawn!.globals);
  const pkg = "@tensorflow/tfjs-backend-webgpu";
  let WebGPUBackend: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    WebGPUBackend = (require(pkg) as { WebGPUBackend: typeof WebGPUBackend }).WebGPUBackend;
  } catch (err) {
    throw new Error(`the npm package "${pkg}" is not installed (${(err as Error).message.split("\n")[0]})`);
  }
  const a = found.adapter;
  // The limits tfjs asks for (its own factory does the same): the adapter's, not WebGPU's defaults.
  const wanted = ["maxComputeWorkgroupStorageSize", "maxComputeWorkgroupsPerDimension", "maxStorageBufferBindingSize", "maxBufferSize", "maxComputeWorkgroupSizeX", "maxComputeInvocationsPerWorkgroup", "maxStorageBuffersPerShaderStage"];
  const requiredLimits = Object.fromEntries(wanted.map((k) => [k, a.limits[k]]));
  const requiredFeatures = ["timestamp-query"].filter((f) => a.features.has(f));
  const device = await a.requestDevice({ requiredLimits, requiredFeatures });
  // A kernel WebGPU rejects (a limit exceeded, an invalid shader) does not throw: the command is
  // dropped and its output is garbage. Keep the first such error so the next read throws it.
  (device as { addEventListener(type: string, f: (e: { error: { message: string } }) => void): void }).addEventListener("uncapturederror", (e) => {
    deviceError ??= e.error.message.split("\n")[0];
  });
  // The WebGPUBackend constructor checks navigator.gpu (set only now: had it been there when the
  // package loaded, the package would have registered its own factory, adapter choice and all).
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, "gpu", { value: found.gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu: found.gpu }, configurable: true, writable: true });
  tf.registerBackend("webgpu", () => new WebGPUBackend(device, a.info), 0);
  if (!(await tf.setBackend("webgpu"))) throw new Error(`tfjs could not start the webgpu backend on ${found.info.name}`);
  await tf.ready();
  installWebGpuKernels((device as { limits: Record<string, number> }).limits.maxStorageBuffersPerShaderStage);
  active = found.info;
  return active;
}

/**
 * Kernel fixes for the webgpu backend (the counterparts of wasm.ts's):
 *
 * - AddN binds every input as a storage buffer in one shader, so more inputs than the device's
 *   `maxStorageBuffersPerShaderStage` − 1 (WebGPU's default limit is 8, which tfjs's own device
 *   keeps even on large GPUs) fail validation: e.g. the global gradient norm over 38 LoRA and
 *   fusion tensors. Ours sums in chunks that fit and then sums the partial sums. Exact in the
 *   same way (float32 additions, in a different order: ≤ 1 ulp per addition).
 */
function installWebGpuKernels(maxStorageBuffers: number): void {
  const stock = tf.getKernel("AddN", "webgpu")!.kernelFunc;
  const chunk = Math.max(2, Math.min(maxStorageBuffers, 16) - 1); // one binding is the output
  tf.unregisterKernel("AddN", "webgpu");
  const addN = (inputs: tf.TensorInfo[], backend: tf.KernelBackend): tf.TensorInfo => {
    if (inputs.length <= chunk) return stock({ inputs: inputs as unknown as tf.NamedTensorInfoMap, backend, attrs: {} }) as tf.TensorInfo;
    const partial: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += chunk) {
      const part = inputs.slice(i, i + chunk);
      partial.push(part.length === 1 ? part[0] : addN(part, backend));
    }
    const out = addN(partial, backend);
    for (const p of partial) if (!inputs.includes(p)) backend.disposeData(p.dataId);
    return out;
  };
  tf.registerKernel({ kernelName: "AddN", backendName: "webgpu", kernelFunc: ({ inputs, backend }) => addN(Object.values(inputs) as tf.TensorInfo[], backend as tf.KernelBackend) });
}
