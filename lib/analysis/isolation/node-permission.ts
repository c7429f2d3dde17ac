/**
 * The flag that turns on Node's permission model: `--permission` from Node 22 on,
 * `--experimental-permission` in Node 20 (which refuses the new name). Probed once.
 */
import { spawnSync } from "node:child_process";

let flag: string | undefined;
export function permissionFlag(): string {
  if (flag === undefined) {
    const r = spawnSync(process.execPath, ["--permission", "--allow-fs-read=*", "-e", "0"], { stdio: "ignore", timeout: 10_000 });
    flag = r.status === 0 ? "--permission" : "--experimental-permission";
  }
  return flag;
}
