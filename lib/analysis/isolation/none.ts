/**
 * No isolation: only the Node permission model and the preload stand between the program and the
 * network. Used only when the user asks for it by name (UNSAFE_NO_SANDBOX); every run warns.
 */
import { IsolationBackend } from "./backend";

export const UNSAFE_WARNING =
  "hepllm: WARNING: running generated code WITHOUT a sandbox (--unsafe-no-sandbox / isolation \"none-i-accept-the-risk\"): " +
  "it can use the network and anything the Node permission model lets through.";

export const noIsolation: IsolationBackend = {
  name: "none",
  describe: "NO ISOLATION: the program can reach the network (the user opted out of the sandbox)",
  warning: UNSAFE_WARNING,
  probe: () => null,
  wrap: (argv) => argv,
};
