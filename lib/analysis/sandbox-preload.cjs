// Loaded with `node --require` into every sandboxed program (plain CommonJS: it runs before any
// loader). The guarantees come from the isolation backend (no network namespace route, read-only
// binds) and Node's permission model (writes outside the working folder, child processes and
// workers denied); this file is defence in depth: it turns an attempt into a stopped program with
// a clear SANDBOX VIOLATION message (HEPLLM_SANDBOX_TRAPS=0 turns that off, for the tests that
// prove the isolation holds alone), and it lets h5wasm start (it asks for
// process.binding('constants'), which the permission model refuses).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");

const WRITE_EXIT = 97; // exit status for a write outside the working folder
const NETWORK_EXIT = 98; // exit status for a network attempt

function violation(code, what) {
  try {
    fs.writeSync(2, `\nSANDBOX VIOLATION: ${what}\n`);
  } catch (_) {
    /* stderr closed: the exit status still tells */
  }
  process.reallyExit ? process.reallyExit(code) : process.exit(code);
}

// --- h5wasm: emscripten's NODEFS reads the open() flag values through process.binding.
const binding = process.binding;
process.binding = function (name) {
  if (name === "constants") return { fs: fs.constants, os: os.constants };
  return binding.call(process, name);
};

if (process.env.HEPLLM_SANDBOX_TRAPS !== "0") installTraps();

function installTraps() {
  // --- Writes: ask the permission model before the call, and stop the program if it says no.
  const canWrite = (p) => {
    if (typeof p !== "string" && !(p instanceof URL) && !Buffer.isBuffer(p)) return true; // file descriptors
    const s = p instanceof URL ? p.pathname : String(p);
    return !process.permission || process.permission.has("fs.write", path.resolve(s));
  };
  const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND;
  const isWriteFlag = (f) => (typeof f === "number" ? (f & WRITE_FLAGS) !== 0 : typeof f === "string" && /[wa+]/.test(f));

  function guard(obj, name, paths, flagArg) {
    const orig = obj[name];
    if (typeof orig !== "function") return;
    obj[name] = function (...args) {
      if (flagArg === undefined || isWriteFlag(args[flagArg])) {
        for (const i of paths) {
          if (args[i] !== undefined && !canWrite(args[i])) violation(WRITE_EXIT, `write to ${String(args[i])} (outside the working folder)`);
        }
      }
      return orig.apply(this, args);
    };
  }
  const oneArg = ["writeFile", "appendFile", "mkdir", "mkdtemp", "rm", "rmdir", "unlink", "truncate", "chmod", "chown", "utimes", "createWriteStream", "lchown", "lutimes"];
  const twoArgs = ["rename", "copyFile", "cp", "symlink", "link"];
  for (const target of [fs, fs.promises]) {
    for (const base of oneArg) for (const n of [base, base + "Sync"]) guard(target, n, [0]);
    for (const base of twoArgs) for (const n of [base, base + "Sync"]) guard(target, n, [0, 1]);
    for (const n of ["open", "openSync"]) guard(target, n, [0], 1);
  }

  // --- Network: any socket connection, DNS lookup, UDP send or fetch stops the program.
  {
    const net = require("net");
    const dns = require("dns");
    const dgram = require("dgram");
    const deny = (what) => () => violation(NETWORK_EXIT, `network access (${what}) is not allowed`);
    const origConnect = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (...args) {
      const o = Array.isArray(args[0]) ? args[0][0] : args[0];
      // IPC pipes to nothing but our own stdio are not needed by programs; refuse all connections.
      const where = o && typeof o === "object" ? `${o.host ?? o.path ?? "?"}:${o.port ?? ""}` : String(o);
      violation(NETWORK_EXIT, `network access (connect to ${where}) is not allowed`);
      return origConnect.apply(this, args);
    };
    // every lookup and resolver function, module-level and on Resolver objects, callback and promise
    const dnsCalls = (o) => Object.keys(o).filter((n) => typeof o[n] === "function" && /^(lookup|resolve|reverse)/.test(n));
    for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
      for (const n of dnsCalls(target)) target[n] = deny(`dns.${n}`);
    }
    dgram.Socket.prototype.send = deny("UDP send");
    globalThis.fetch = deny("fetch");
  }
}
