/**
 * `unshare` (util-linux) into a new user, network and PID namespace: the network namespace has
 * only a loopback that is down, so no packet leaves; the PID namespace dies with its first process
 * (so the time limit ends every process) and hides every other process (kill(-1) reaches only the
 * sandbox). Without a PID namespace the backend is refused, not weakened.
 * It does not change the file system view; the sandbox's Node permission model (always on, see
 * ../sandbox.ts) limits reads to the view and writes to the working folder, and refuses child
 * processes and workers.
 */
import { FsView, IsolationBackend, probeWith } from "./backend";

/** Tried in order; the first that passes the probe is used (cached with the probe). */
const VARIANTS: string[][] = [
  ["--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child"],
  ["--net", "--pid", "--fork", "--kill-child"], // already privileged, no user namespace needed
];

let chosen: string[] | undefined;
const wrapWith = (args: string[]) => (argv: string[], _view: FsView): string[] => ["unshare", ...args, "--", ...argv];

export const userNamespaceBackend: IsolationBackend = {
  name: "unshare",
  describe: "unshare: new user + network + PID namespace (no network), Node permission model for the file system",
  probe() {
    const reasons: string[] = [];
    for (const v of VARIANTS) {
      const why = probeWith(wrapWith(v));
      if (why === null) {
        chosen = v;
        return null;
      }
      reasons.push(why);
    }
    return reasons[0];
  },
  wrap(argv, view) {
    if (!chosen) throw new Error("unshare isolation used before its probe passed");
    return wrapWith(chosen)(argv, view);
  },
};
