/**
 * Calibration of the simulator against a real jet-feature table (e.g. the 76,000 LHCO R&D events
 * of ../shared/fixtures/lhco/rd_jet_features.csv.gz): the two-sample Kolmogorov–Smirnov distance
 * between real and simulated EventRecords, signal and background apart, for the resonance-search
 * observables m_jj, m_j1, m_j2, tau21 and tau32 of the two leading jets, after the same
 * leading-jet cut on both samples. Takes records, not files: reading a table is lib/dataset's job
 * (the CLI joins the two), and simulated events become records through lib/jets eventRecord,
 * exactly as real events do in `hepllm prepare`.
 */
import type { EventRecord, JetRecord } from "../jets/record";
import { eventRecord } from "../jets";
import { ksDistance, ksPValue } from "../stats/ks";
import { KSEntry, KS_TARGET } from "./calibration";
import { SimulationConfig } from "./config";
import { simulateEvents } from "./simulate";
import { Progress } from "../util/progress";

export const FEATURE_OBSERVABLES = ["m_jj", "m_j1", "m_j2", "tau21_j1", "tau21_j2", "tau32_j1", "tau32_j2"] as const;
export type FeatureObservable = (typeof FEATURE_OBSERVABLES)[number];
export type FeatureSamples = Record<FeatureObservable, number[]>;

export interface FeatureKSRow {
  observable: FeatureObservable;
  background: KSEntry;
  signal: KSEntry;
}

export interface FeatureCalibrationTable {
  /** Leading-jet cut applied to both samples [GeV]. */
  minLeadPt: number;
  /** Goal for every distance (issue 11). */
  target: number;
  rows: FeatureKSRow[];
  /** Events per class that passed the cut and have two jets. */
  counts: { real: { background: number; signal: number }; sim: { background: number; signal: number } };
}

function emptySamples(): FeatureSamples {
  return { m_jj: [], m_j1: [], m_j2: [], tau21_j1: [], tau21_j2: [], tau32_j1: [], tau32_j2: [] };
}

/**
 * Observables of labelled records with >= 2 jets whose leading jet has P_T >= minLeadPt, split by
 * type ("unknown" records are skipped). j1, j2 are the two leading jets by P_T, whatever order
 * the record lists them in.
 */
export function recordObservables(records: Iterable<EventRecord>, minLeadPt = 0): { background: FeatureSamples; signal: FeatureSamples } {
  const out = { background: emptySamples(), signal: emptySamples() };
  for (const r of records) {
    if (r.type === "unknown" || r.jets.length < 2) continue;
    const [j1, j2] = [...r.jets].sort((a: JetRecord, b: JetRecord) => b.P_T - a.P_T);
    if (j1.P_T < minLeadPt) continue;
    const s = r.type === "signal" ? out.signal : out.background;
    s.m_jj.push(r.M_jj ?? dijetMass(j1, j2));
    s.m_j1.push(j1.m);
    s.m_j2.push(j2.m);
    s.tau21_j1.push(j1.tau21);
    s.tau21_j2.push(j2.tau21);
    s.tau32_j1.push(j1.tau32);
    s.tau32_j2.push(j2.tau32);
  }
  return out;
}

/** Invariant mass of two jets from (P_T, eta, phi, E) [GeV] (0 when m^2 < 0 by rounding). */
function dijetMass(a: JetRecord, b: JetRecord): number {
  const px = a.P_T * Math.cos(a.phi) + b.P_T * Math.cos(b.phi);
  const py = a.P_T * Math.sin(a.phi) + b.P_T * Math.sin(b.phi);
  const pz = a.P_T * Math.sinh(a.eta) + b.P_T * Math.sinh(b.eta);
  const E = a.E + b.E;
  return Math.sqrt(Math.max(0, E * E - px * px - py * py - pz * pz));
}

function entry(real: number[], sim: number[]): KSEntry {
  if (real.length === 0 || sim.length === 0) return { d: null, p: null, nReal: real.length, nSim: sim.length };
  const d = ksDistance(real, sim);
  return { d, p: ksPValue(d, real.length, sim.length), nReal: real.length, nSim: sim.length };
}

/** The KS table of simulated against real records, both cut at minLeadPt. */
export function featureCalibrationTable(real: Iterable<EventRecord>, sim: Iterable<EventRecord>, opts: { minLeadPt?: number } = {}): FeatureCalibrationTable {
  const minLeadPt = opts.minLeadPt ?? 0;
  const r = recordObservables(real, minLeadPt);
  const s = recordObservables(sim, minLeadPt);
  return {
    minLeadPt,
    target: KS_TARGET,
    rows: FEATURE_OBSERVABLES.map((o) => ({ observable: o, background: entry(r.background[o], s.background[o]), signal: entry(r.signal[o], s.signal[o]) })),
    counts: {
      real: { background: r.background.m_jj.length, signal: r.signal.m_jj.length },
      sim: { background: s.background.m_jj.length, signal: s.signal.m_jj.length },
    },
  };
}

/** True when every distance of the table is defined and at most its target. */
export function featureCalibrationPasses(t: FeatureCalibrationTable): boolean {
  return t.rows.every((r) => [r.background, r.signal].every((e) => e.d !== null && e.d <= t.target));
}

/**
 * Simulated events of cfg as records (anti-kt R = 1.0, jets pT > 20 GeV, two leading jets: the
 * `prepare` defaults), optionally with a progress line.
 */
export function simulateRecords(cfg: SimulationConfig, opts: { progress?: boolean } = {}): EventRecord[] {
  const progress = opts.progress ? new Progress({ label: "simulate+cluster", total: cfg.nEvents, unit: "events" }) : undefined;
  const out: EventRecord[] = [];
  for (const ev of simulateEvents(cfg)) {
    out.push(eventRecord(ev, { R: 1.0, ptmin: 20, maxJets: 2 }));
    progress?.tick(1);
  }
  progress?.finish();
  return out;
}

/** The table as Markdown: d (n real / n sim) and PASS/FAIL against the target, per class. */
export function featureCalibrationMarkdown(t: FeatureCalibrationTable): string {
  const cell = (e: KSEntry): string =>
    e.d === null ? `n/a (${e.nReal}/${e.nSim})` : `${e.d.toFixed(3)} ${e.d <= t.target ? "PASS" : "FAIL"} (${e.nReal}/${e.nSim})`;
  return [
    `| observable | KS background (n real/sim) | KS signal (n real/sim) |`,
    `| --- | --- | --- |`,
    ...t.rows.map((r) => `| ${r.observable} | ${cell(r.background)} | ${cell(r.signal)} |`),
    "",
    `Leading-jet P_T >= ${t.minLeadPt} GeV on both samples; PASS: KS <= ${t.target}. ` +
      `Events: real ${t.counts.real.background} background / ${t.counts.real.signal} signal; ` +
      `simulated ${t.counts.sim.background} background / ${t.counts.sim.signal} signal.`,
  ].join("\n");
}
