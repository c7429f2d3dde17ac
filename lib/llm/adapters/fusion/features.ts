/**
 * The numeric feature vector of one event record, the input of the fusion adapter.
 *
 * Tokenised digits lose magnitudes ("1583.80" becomes five unrelated tokens), so the adapter
 * reads the raw numbers instead. Layout for K kept jets (default 2), F = 12·K + 4:
 *   per jet k: [P_T, E, P_T_lead, P_T_lead_present, m, n_particles, n_particles_present,
 *               eta, phi, tau21, tau32, present]
 *   event:     [n_particles, n_particles_present, M_jj, M_jj_present]
 * Every value that can be missing is followed by (or, for a whole jet, ends with) a 0/1 presence
 * flag: a missing jet (one-jet events), a missing M_jj, and the optional record fields (jet
 * n_particles and P_T_lead, event n_particles: absent in records from a jet-feature table) are 0
 * with flag 0, so the network can tell "absent" from "small". Present values have flag 1.
 *
 * Scaling rules (each chosen so typical LHCO values land in about [-3, 3]):
 *   momenta, energies, masses x [GeV] → ln(1 + x / s) with s = 1000 GeV for P_T, E and M_jj
 *     (trigger-level jets sit at 1–3 TeV) and s = 100 GeV for P_T_lead and m (jet masses and
 *     leading constituents are tens to hundreds of GeV); the log tames the steeply falling spectra;
 *   particle counts n → n / 100 (jets 10–200, events 50–500);
 *   eta → eta / 2.5 (the tracker acceptance); phi → phi / π;
 *   tau21, tau32 ∈ [0, 1] mostly (up to ~2-5 for soft jets) unchanged;
 *   flags 0 or 1.
 */
import type { EventRecord, JetRecord } from "../../../jets/record";

export const JET_FEATURE_NAMES = [
  "P_T", "E", "P_T_lead", "P_T_lead_present", "m", "n_particles", "n_particles_present", "eta", "phi", "tau21", "tau32", "present",
] as const;
export const EVENT_FEATURE_NAMES = ["n_particles", "n_particles_present", "M_jj", "M_jj_present"] as const;

/** Length of the feature vector for `maxJets` kept jets. */
export function featureSize(maxJets: number): number {
  return JET_FEATURE_NAMES.length * maxJets + EVENT_FEATURE_NAMES.length;
}

/** Human-readable names of every position, e.g. "jet1.P_T", for reports and debugging. */
export function featureNames(maxJets: number): string[] {
  const names: string[] = [];
  for (let k = 1; k <= maxJets; k++) for (const f of JET_FEATURE_NAMES) names.push(`jet${k}.${f}`);
  for (const f of EVENT_FEATURE_NAMES) names.push(`event.${f}`);
  return names;
}

const logScale = (x: number, s: number): number => Math.log1p(Math.max(0, x) / s);

/** [scaled value, 1] when present, [0, 0] when absent (undefined, or null from hand-written JSON). */
function optional(x: number | undefined | null, scale: (v: number) => number): [number, number] {
  return x === undefined || x === null ? [0, 0] : [scale(x), 1];
}

function jetFeatures(j: JetRecord): number[] {
  return [
    logScale(j.P_T, 1000),
    logScale(j.E, 1000),
    ...optional(j.P_T_lead, (v) => logScale(v, 100)),
    logScale(j.m, 100),
    ...optional(j.n_particles, (v) => v / 100),
    j.eta / 2.5,
    j.phi / Math.PI,
    j.tau21,
    j.tau32,
    1,
  ];
}

/** The scaled feature vector (length featureSize(maxJets)) of one record. */
export function eventFeatures(rec: EventRecord, maxJets = 2): Float32Array {
  const out = new Float32Array(featureSize(maxJets));
  const per = JET_FEATURE_NAMES.length;
  for (let k = 0; k < maxJets && k < rec.jets.length; k++) out.set(jetFeatures(rec.jets[k]), k * per);
  const base = per * maxJets;
  out.set(optional(rec.n_particles, (v) => v / 100), base);
  out.set(optional(rec.M_jj, (v) => logScale(v, 1000)), base + 2);
  return out;
}

/** Features of many records as one row-major [n, F] array. */
export function featureMatrix(recs: EventRecord[], maxJets = 2): Float32Array {
  const f = featureSize(maxJets);
  const out = new Float32Array(recs.length * f);
  recs.forEach((r, i) => out.set(eventFeatures(r, maxJets), i * f));
  return out;
}
