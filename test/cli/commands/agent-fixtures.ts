/** Shared by the agent and debate command tests: a records sample with a known bump, and stdout capture. */
import type { EventRecord, JetRecord } from "../../../lib/jets/record";

const jet = (P_T: number, m: number, tau21: number): JetRecord => ({
  P_T, eta: 0.1, phi: 1.2, E: P_T * 1.1, m, n_particles: 50, P_T_lead: P_T / 5, tau1: 0.3, tau2: 0.3 * tau21, tau3: 0.05, tau21, tau32: 0.5, dR: { jet2: 3.1 },
});
/** 10 events per 100 GeV bin in [1000, 2000), 25 in [1500, 1600) (the bump of test/agents/tools/bump_hunt.test.ts). */
export function records(): EventRecord[] {
  const out: EventRecord[] = [];
  for (let i = 0; i < 10; i++) {
    for (let k = 0; k < (i === 5 ? 25 : 10); k++) {
      const j1 = jet(900, 500, 0.2);
      const j2 = { ...jet(850, 100, 0.4), dR: { jet1: 3.1 } };
      out.push({ id: out.length, type: i === 5 ? "signal" : "background", n_particles: 180, n_jets: 3, M_jj: 1050 + 100 * i, jets: [j1, j2] });
    }
  }
  return out;
}

export async function capture(fn: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...a: unknown[]) => void lines.push(a.join(" "));
  console.error = () => undefined;
  try {
    return { code: await fn(), stdout: lines.join("\n") };
  } finally {
    console.log = log;
    console.error = err;
  }
}

