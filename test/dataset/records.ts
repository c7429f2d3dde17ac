/** Hand-made EventRecords for the dataset tests (no clustering involved). */
import type { EventRecord, EventType, JetRecord } from "../../lib/jets/record";

/** A complete, valid jet; `x` varies the numbers. */
export function makeJet(x: number, dR: Record<string, number> = {}): JetRecord {
  return {
    P_T: 1000 + x,
    eta: -0.5 + x / 1000,
    phi: 0.25,
    E: 1500 + x,
    m: 120.5,
    n_particles: 40,
    P_T_lead: 210.25,
    tau1: 0.3,
    tau2: 0.12,
    tau3: 0.06,
    tau21: 0.4,
    tau32: 0.5,
    dR,
  };
}

/** A complete, valid two-jet record. */
export function makeRecord(id: number, type: EventType = "background"): EventRecord {
  return {
    id,
    type,
    n_particles: 150 + (id % 50),
    n_jets: 3,
    M_jj: 3500 + id,
    jets: [makeJet(id, { jet2: 3.1 }), makeJet(id + 1, { jet1: 3.1 })],
  };
}

/** JSONL text of records. */
export function jsonl(records: unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join("\n") + "\n";
}
