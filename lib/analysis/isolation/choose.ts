/**
 * Picks the isolation backend for generated programs, probing each once per process. Fails closed:
 * when no backend works, it throws IsolationUnavailableError with how to enable one, unless the
 * user chose UNSAFE_NO_SANDBOX.
 */
import { IsolationBackend, IsolationChoice, UNSAFE_NO_SANDBOX } from "./backend";
import { bwrapBackend } from "./bwrap";
import { noIsolation } from "./none";
import { userNamespaceBackend } from "./user-namespace";

/** The backends that isolate, in order of preference (bwrap also hides the file system). */
export const ISOLATING_BACKENDS: IsolationBackend[] = [bwrapBackend, userNamespaceBackend];

export const HOW_TO_ENABLE = [
  "Enable one of:",
  "  - bubblewrap: apt-get install bubblewrap (Fedora: dnf install bubblewrap);",
  "  - unprivileged user namespaces (for bwrap without setuid, and for unshare): sysctl -w kernel.unprivileged_userns_clone=1",
  "    (Debian kernels), sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10+ AppArmor), and user.max_user_namespaces > 0;",
  "    in a container: run it with --security-opt seccomp=unconfined or allow unshare/clone(CLONE_NEWUSER).",
  `Or, knowing that the program can then use the network: --unsafe-no-sandbox (config: "sandbox": {"isolation": "${UNSAFE_NO_SANDBOX}"}).`,
].join("\n");

export class IsolationUnavailableError extends Error {
  constructor(readonly reasons: Record<string, string>, wanted: IsolationChoice) {
    super(
      `hepllm refuses to run generated code: ${wanted === "auto" ? "no isolation backend works on this machine" : `isolation "${wanted}" does not work on this machine`}\n` +
        Object.entries(reasons).map(([k, v]) => `  ${k}: ${v}`).join("\n") + "\n" + HOW_TO_ENABLE,
    );
    this.name = "IsolationUnavailableError";
  }
}

const probed = new Map<IsolationBackend, string | null>();
/** The backend's probe result, run once per process. */
export function probeOnce(b: IsolationBackend): string | null {
  if (!probed.has(b)) probed.set(b, b.probe());
  return probed.get(b)!;
}

/** The backend to use for `choice`; throws IsolationUnavailableError when it (or, for auto, every one) fails its probe. */
export function chooseIsolation(choice: IsolationChoice, backends: IsolationBackend[] = ISOLATING_BACKENDS): IsolationBackend {
  if (choice === UNSAFE_NO_SANDBOX) return noIsolation;
  const candidates = choice === "auto" ? backends : backends.filter((b) => b.name === choice);
  if (candidates.length === 0) throw new Error(`unknown isolation ${JSON.stringify(choice)} (auto, bwrap, unshare or ${UNSAFE_NO_SANDBOX})`);
  const reasons: Record<string, string> = {};
  for (const b of candidates) {
    const why = probeOnce(b);
    if (why === null) return b;
    reasons[b.name] = why;
  }
  throw new IsolationUnavailableError(reasons, choice);
}

/** Every isolating backend that works here (the escape tests run in each). */
export function availableIsolation(backends: IsolationBackend[] = ISOLATING_BACKENDS): IsolationBackend[] {
  return backends.filter((b) => probeOnce(b) === null);
}
