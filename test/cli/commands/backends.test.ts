/**
 * `--backend` (a global option of every command, also HEPLLM_BACKEND) and `hepllm backends`:
 * the table of backends with the reason for each, and `--check` running a product on the chosen
 * one and comparing it with a float64 product on the host.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../../support/shared";

function hepllm(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const clean = { ...process.env };
  delete clean.HEPLLM_BACKEND;
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "bin/hepllm.js"), ...args], { encoding: "utf8", env: { ...clean, ...env } });
}

test("backends --json lists every backend with a reason; --check --backend cpu runs a correct product on cpu", () => {
  const r = hepllm(["backends", "--json", "--check", "--backend", "cpu"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { backends: { name: string; available: boolean; detail: string }[]; check: { backend: string; reason: string; maxError: number } };
  assert.deepEqual(out.backends.map((b) => b.name), ["webgpu", "tensorflow", "wasm", "cpu"]);
  for (const b of out.backends) assert.ok(b.detail.length > 0, `${b.name} has a reason`);
  assert.equal(out.backends.find((b) => b.name === "wasm")!.available, true);
  assert.equal(out.check.backend, "cpu");
  assert.match(out.check.reason, /--backend/);
  assert.ok(out.check.maxError < 1e-4, `256×256 product off by ${out.check.maxError}`);
  assert.match(r.stderr, /tfjs backend cpu/, "one line says what was chosen");
});

test("an unknown --backend or HEPLLM_BACKEND is a usage error naming the choices", () => {
  const r = hepllm(["logits", "--backend=gpu", "--model", "x", "--ids", "1"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown backend "gpu" \(use auto, webgpu, tensorflow, wasm, cpu\)/);
  const e = hepllm(["backends", "--check"], { HEPLLM_BACKEND: "cuda" });
  assert.notEqual(e.status, 0);
  assert.match(e.stderr, /HEPLLM_BACKEND: unknown backend "cuda"/);
});
