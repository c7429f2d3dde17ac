import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { parseConfig } from "../../lib/analysis/config";
import { categoriseByRules } from "../../lib/analysis/errors";
import { IsolationBackend, UNSAFE_NO_SANDBOX } from "../../lib/analysis/isolation/backend";
import { chooseIsolation, IsolationUnavailableError } from "../../lib/analysis/isolation/choose";
import { runInSandbox, SandboxLimits } from "../../lib/analysis/sandbox";
import { REPO_ROOT } from "../support/shared";
import { tempDir } from "./fixture";

const root = tempDir("sandbox");
const data = path.join(root, "data");
fs.mkdirSync(data);
fs.writeFileSync(path.join(data, "events.txt"), "original");
let n = 0;
const run = (code: string, limits: Partial<SandboxLimits> = {}, language: "typescript" | "javascript" = "javascript") =>
  runInSandbox({ code, language, dir: path.join(root, `box${n++}`), inputDir: data, limits: { timeoutMs: 20_000, memoryMb: 1024, ...limits } });

test("a TypeScript program reads its input and writes into its output folder", async () => {
  const r = await run(
    `import * as fs from "fs"; const [inp, out]: string[] = process.argv.slice(2);
     fs.writeFileSync(out + "/copy.txt", fs.readFileSync(inp + "/events.txt", "utf8").toUpperCase()); console.log("ok");`,
    {}, "typescript",
  );
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, "ok\n");
  assert.equal(fs.readFileSync(path.join(r.outputDir, "copy.txt"), "utf8"), "ORIGINAL");
  assert.equal(r.reads, "inputs");
});

test("an input that cannot be hard-linked (a folder) is symlinked, and reads are then allowed everywhere", async () => {
  const other = path.join(root, "with-folder");
  fs.mkdirSync(path.join(other, "sub"), { recursive: true });
  fs.writeFileSync(path.join(other, "sub", "x.txt"), "deep");
  const r = await runInSandbox({ code: `console.log(require("fs").readFileSync(process.argv[2] + "/sub/x.txt", "utf8"))`, language: "javascript", dir: path.join(root, `box${n++}`), inputDir: other });
  assert.equal(r.stdout, "deep\n", r.stderr);
  assert.equal(r.reads, "all");
});

test("a write into the data folder is stopped and categorised, and the data are unchanged", async () => {
  for (const code of [
    `require("fs").writeFileSync(process.argv[2] + "/events.txt", "overwritten");`,
    // catching the error does not help: the program is stopped at the attempt
    `try { require("fs").appendFileSync(process.argv[2] + "/events.txt", "x"); } catch (e) {} console.log("went on");`,
    `require("fs").promises.unlink(process.argv[2] + "/events.txt").then(() => console.log("deleted"));`,
    `require("fs").mkdirSync("/tmp/hepllm-sandbox-escape-" + process.pid);`,
  ]) {
    const r = await run(code);
    assert.equal(r.exitCode, 97, r.stderr);
    assert.doesNotMatch(r.stdout, /went on|deleted/);
    assert.equal(categoriseByRules({ sandbox: r })?.category, "sandbox_write");
  }
  assert.equal(fs.readFileSync(path.join(data, "events.txt"), "utf8"), "original");
});

test("files outside the inputs, the program's folder and the packages cannot be read", async () => {
  const secret = path.join(root, "endpoints.json");
  fs.writeFileSync(secret, '{"apiKey": "sk-secret"}');
  const r = await run(`try { console.log(require("fs").readFileSync(${JSON.stringify(secret)}, "utf8")); } catch (e) { console.log("denied " + e.code); }`);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, "denied ERR_ACCESS_DENIED\n");
});

test("child processes are refused (they would escape the limits)", async () => {
  const r = await run(`require("child_process").execSync("touch ${path.join(data, "x")}");`);
  assert.notEqual(r.exitCode, 0);
  assert.match(r.stderr, /ERR_ACCESS_DENIED/);
  assert.equal(fs.existsSync(path.join(data, "x")), false);
});

async function withServer(fn: (port: number, connections: () => number) => Promise<void>): Promise<void> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    count++;
    sockets.add(s);
    s.on("error", () => {});
    s.end("hello\n");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  try {
    await fn((server.address() as net.AddressInfo).port, () => count);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

const connect = (port: number) => `
  const s = require("net").connect(${port}, "127.0.0.1", () => { console.log("CONNECTED"); s.end(); });
  s.on("error", (e) => { console.error("connect failed: " + e.code); process.exit(3); });`;

test("network: the preload's traps stop a connection with a clear violation (defence in depth, on top of the isolation)", async () => {
  await withServer(async (port, connections) => {
    // the server is reachable from outside the sandbox
    await new Promise<void>((ok, bad) => {
      const c = net.connect(port, "127.0.0.1", () => {
        c.destroy();
        ok();
      }).on("error", bad);
    });
    const before = connections();
    for (const code of [connect(port), `fetch("http://127.0.0.1:${port}/").then(() => console.log("CONNECTED"));`]) {
      const r = await run(code);
      assert.equal(r.exitCode, 98, r.stderr);
      assert.doesNotMatch(r.stdout, /CONNECTED/);
      assert.equal(categoriseByRules({ sandbox: r })?.category, "sandbox_network");
    }
    await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(connections(), before);
  });
});

const failing = (name: "bwrap" | "unshare", why: string): IsolationBackend => ({ name, describe: name, probe: () => why, wrap: () => { throw new Error("not probed"); } });

test("with no working isolation, hepllm refuses and says how to enable one; only the named opt-out runs without", () => {
  const none = [failing("bwrap", "bwrap: not installed"), failing("unshare", "unshare: Operation not permitted")];
  assert.throws(() => chooseIsolation("auto", none), (e: unknown) => {
    assert.ok(e instanceof IsolationUnavailableError);
    assert.match(e.message, /refuses to run generated code/);
    assert.match(e.message, /bwrap: bwrap: not installed/);
    assert.match(e.message, /apt-get install bubblewrap/);
    assert.match(e.message, /kernel\.unprivileged_userns_clone=1/);
    assert.match(e.message, /--unsafe-no-sandbox/);
    return true;
  });
  assert.throws(() => chooseIsolation("unshare", none), /isolation "unshare" does not work/);
  assert.equal(chooseIsolation(UNSAFE_NO_SANDBOX, none).name, "none");
});

test("auto takes the first backend that works, and each backend is probed once per process", () => {
  let probes = 0;
  const works: IsolationBackend = { name: "unshare", describe: "fake", probe: () => (probes++, null), wrap: (argv) => argv };
  const backends = [failing("bwrap", "bwrap: not installed"), works];
  assert.equal(chooseIsolation("auto", backends), works);
  assert.equal(chooseIsolation("auto", backends), works);
  assert.equal(chooseIsolation("unshare", backends), works);
  assert.equal(probes, 1);
  assert.throws(() => chooseIsolation("bwrap", backends), /isolation "bwrap" does not work on this machine\n  bwrap: bwrap: not installed/);
});

test("config: sandbox.isolation is auto by default; the opt-out must be spelt out; a preload alone is refused", () => {
  const cfg = (sandbox: unknown) => parseConfig({ run: "r", data: "d", supervisors: "s", coders: "c", sandbox });
  assert.equal(cfg(undefined).sandbox.isolation, "auto");
  assert.equal(cfg({ isolation: "unshare" }).sandbox.isolation, "unshare");
  assert.equal(cfg({ isolation: UNSAFE_NO_SANDBOX }).sandbox.isolation, UNSAFE_NO_SANDBOX);
  assert.equal(cfg({ network: "both" }).sandbox.isolation, "auto"); // the old setting's isolating values
  assert.throws(() => cfg({ isolation: "none" }), /"sandbox.isolation" must be one of auto, bwrap, unshare, none-i-accept-the-risk/);
  assert.throws(() => cfg({ network: "preload" }), /a preload alone is not isolation/);
});

test("the opt-out runs the program and warns on every run", async () => {
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
  try {
    for (let i = 0; i < 2; i++) {
      const r = await run(`console.log("ran")`, { isolation: UNSAFE_NO_SANDBOX });
      assert.equal(r.stdout, "ran\n");
      assert.equal(r.isolation, "none");
    }
  } finally {
    process.stderr.write = orig;
  }
  assert.equal(writes.filter((w) => /WARNING: running generated code WITHOUT a sandbox/.test(w)).length, 2);
});

test("hepllm analysis sandbox: refuses without isolation (how to enable it), runs with --unsafe-no-sandbox and warns", () => {
  const bin = path.join(root, "bare-bin"); // a PATH with node only: neither bwrap nor unshare
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  const prog = path.join(root, "prog.js");
  fs.writeFileSync(prog, `require("fs").writeFileSync(process.argv[3] + "/ran.txt", "yes"); console.log("ran")`);
  const hepllm = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "hepllm.js"), "analysis", "sandbox", "--program", prog, "--input", data, ...args], { encoding: "utf8", env: { PATH: bin, HOME: root } });
  const refused = hepllm("--dir", path.join(root, "cli-refused"));
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, /refuses to run generated code: no isolation backend works/);
  assert.match(refused.stderr, /apt-get install bubblewrap/);
  assert.match(refused.stderr, /--unsafe-no-sandbox/);
  assert.equal(fs.existsSync(path.join(root, "cli-refused")), false, "nothing is set up, nothing runs");
  const unsafe = hepllm("--dir", path.join(root, "cli-unsafe"), "--unsafe-no-sandbox");
  assert.equal(unsafe.status, 0, unsafe.stderr);
  assert.equal(unsafe.stdout, "ran\n");
  assert.match(unsafe.stderr, /WARNING: running generated code WITHOUT a sandbox/);
  assert.match(unsafe.stderr, /isolation none/);
  assert.equal(hepllm("--dir", path.join(root, "cli-bad"), "--isolation", "preload").status, 2);
});

test("a program that runs forever is killed at the time limit, with its process group", async () => {
  const t0 = Date.now();
  const r = await run(`setInterval(() => {}, 1000); while (true) {}`, { timeoutMs: 1500 });
  assert.equal(r.timedOut, true);
  assert.equal(r.signal, "SIGKILL");
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  assert.equal(categoriseByRules({ sandbox: r })?.category, "timeout");
});

test("memory beyond the limit fails, for typed arrays and for the JS heap", async () => {
  const typed = await run(`const a = []; for (;;) { const x = new Float64Array(16e6); x.fill(1); a.push(x); }`, { memoryMb: 300 });
  assert.notEqual(typed.exitCode, 0);
  assert.equal(categoriseByRules({ sandbox: typed })?.category, "memory_limit", typed.stderr.slice(-500));
  const heap = await run(`const a = []; for (let i = 0; ; i++) a.push({ i, s: "x" + i });`, { memoryMb: 300 });
  assert.notEqual(heap.exitCode, 0);
  assert.equal(categoriseByRules({ sandbox: heap })?.category, "memory_limit", heap.stderr.slice(-500));
});

test("a syntax error is reported with its line without running", async () => {
  const r = await run(`const x: number = ;\n`, {}, "typescript");
  assert.equal(r.exitCode, null);
  assert.match(r.compileError!, /SyntaxError: .* at line 1/);
  assert.equal(categoriseByRules({ sandbox: r })?.category, "syntax_error");
});
