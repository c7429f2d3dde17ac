/**
 * Which OpenBLAS kernels the native addon's products should run. OpenBLAS picks its kernels by CPU
 * model when it loads; releases before 0.3.22 (Debian 12's 0.3.21) do not know AMD's AVX-512
 * processors (Zen 4, Zen 5) and give them the AVX2 "Haswell" kernels: measured here (2026-12-05,
 * AMD EPYC with avx512f/bw/dq/vl), a [512,256]·[256,688] sgemm ran ~100 GFLOP/s per core with
 * those and ~180 with OpenBLAS's own AVX-512 "SkylakeX" kernels, for numpy and PyTorch as for
 * hepllm. So, on such a CPU, hepllm asks for SkylakeX through OpenBLAS's documented override
 * OPENBLAS_CORETYPE before the addon (and with it libopenblas) is loaded.
 *
 * Never overrides a choice the user made (OPENBLAS_CORETYPE already set, to anything), and never
 * asks for AVX-512 kernels on a CPU that lacks any of the extensions they use. Intel CPUs are left
 * to OpenBLAS's own detection (it knows them, including newer kernels than SkylakeX). Child
 * processes (workers, benchmark references) inherit the setting through the environment.
 */
import * as fs from "node:fs";

/** The AVX-512 extensions OpenBLAS's SkylakeX kernels use (F, CD, BW, DQ, VL). */
const AVX512_FLAGS = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"];

/**
 * OPENBLAS_CORETYPE for a CPU described by Linux's /proc/cpuinfo text on architecture `arch`
 * (process.arch), or undefined to leave OpenBLAS's detection alone.
 */
export function openblasCoreFor(cpuinfo: string, arch: string): string | undefined {
  if (arch !== "x64") return undefined;
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo)?.[1];
  if (vendor !== "AuthenticAMD") return undefined;
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? "").trim().split(/\s+/));
  return AVX512_FLAGS.every((f) => flags.has(f)) ? "SKYLAKEX" : undefined;
}

/**
 * Sets OPENBLAS_CORETYPE in this process's environment when it is unset and openblasCoreFor
 * chooses one (Linux only: elsewhere /proc/cpuinfo is absent and nothing changes). Must run before
 * libopenblas is loaded; returns the value in effect afterwards (undefined: OpenBLAS decides).
 */
export function chooseOpenblasCore(): string | undefined {
  if (process.env.OPENBLAS_CORETYPE !== undefined) return process.env.OPENBLAS_CORETYPE;
  let cpuinfo: string;
  try {
    cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return undefined;
  }
  const core = openblasCoreFor(cpuinfo, process.arch);
  if (core) process.env.OPENBLAS_CORETYPE = core;
  return core;
}
