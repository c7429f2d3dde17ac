/**
 * Bubblewrap (Debian's `bubblewrap`): new network, PID, IPC and UTS namespaces; the file system is
 * an empty root with the system folders and the view's paths bound read-only, the working folder
 * bound writable and a fresh /tmp. The network namespace holds only its own loopback, so nothing
 * the program sends can leave it; the PID namespace dies with its first process, so killing
 * bwrap (the time limit) ends every process the program made.
 */
import * as fs from "node:fs";
import { FsView, IsolationBackend, probeWith } from "./backend";

/** Top-level system folders: bound read-only when real folders, recreated when symlinks (merged /usr). */
const SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** The few files of /etc that programs need (dynamic loader cache, time zone); nothing else of /etc. */
const ETC = ["/etc/ld.so.cache", "/etc/localtime"];

function systemArgs(executable: string): string[] {
  const args: string[] = [];
  for (const p of SYSTEM) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(p), p);
    else if (st.isDirectory()) args.push("--ro-bind", p, p);
  }
  for (const p of ETC) args.push("--ro-bind-try", p, p);
  // node installed outside /usr (e.g. /opt/node): its binary is bound on its own
  if (!SYSTEM.some((s) => executable.startsWith(s + "/"))) args.push("--ro-bind", executable, executable);
  return args;
}

function wrap(argv: string[], view: FsView): string[] {
  return [
    "bwrap",
    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
    "--die-with-parent", // bwrap killed (time limit, hepllm gone) -> the sandbox goes too
    "--new-session", // no access to a controlling terminal (TIOCSTI)
    ...systemArgs(argv[0]),
    "--proc", "/proc",
    "--dev", "/dev",
    "--tmpfs", "/tmp",
    ...view.readOnly.flatMap((p) => ["--ro-bind", p, p]),
    "--bind", view.writable, view.writable,
    "--chdir", view.writable,
    "--",
    ...argv,
  ];
}

export const bwrapBackend: IsolationBackend = {
  name: "bwrap",
  describe: "bubblewrap: no network (own loopback only), own PID namespace, read-only system and inputs, writable working folder",
  probe: () => probeWith(wrap),
  wrap,
};
