/**
 * Jet features of one event: the JSONL record (record.ts) that `hepllm prepare` writes.
 * Numbers keep full double precision; writers may round.
 */
import type { Event } from "../events/event";
import { Algorithm, clusterFourMomenta, Jet } from "./cluster";
import { nsubjettiness } from "./nsubjettiness";
import { FourMomenta, fourMomenta, kt2Of, massOf, TWOPI, deltaR2 } from "./pseudojet";
import type { EventRecord, EventType, JetRecord } from "./record";

export interface FeatureOptions {
  /** Jet radius (the LHCO studies use 1.0). */
  R: number;
  /** Jet pT threshold [GeV] (20: the FastJet reference; 1.2 TeV is the trigger, not a jet cut). */
  ptmin: number;
  /** Jets kept in the record, leading first (2: the dijet resonance search). */
  maxJets: number;
  /** Clustering algorithm (anti-kt: the reference). */
  algorithm: Algorithm;
}

export const DEFAULT_FEATURES: FeatureOptions = { R: 1.0, ptmin: 20, maxJets: 2, algorithm: "antikt" };

let scratch: FourMomenta | undefined;
const tau = new Float64Array(3);

/** The record of one event (jets clustered, N-subjettiness of each kept jet). */
export function eventRecord(event: Event, opts?: Partial<FeatureOptions>): EventRecord {
  const o: FeatureOptions = { ...DEFAULT_FEATURES, ...opts };
  if (!(o.maxJets >= 1) || !Number.isInteger(o.maxJets)) throw new RangeError(`eventRecord: maxJets must be a positive integer, got ${o.maxJets}`);
  const { pt, eta, phi } = event;
  if (eta.length !== pt.length || phi.length !== pt.length) {
    throw new RangeError(`eventRecord: event ${event.id} has pt/eta/phi of lengths ${pt.length}/${eta.length}/${phi.length}`);
  }
  const fm = (scratch = fourMomenta(pt, eta, phi, scratch));
  let jets: Jet[];
  try {
    jets = clusterFourMomenta(fm, pt, { algorithm: o.algorithm, R: o.R }, o.ptmin);
  } catch (e) {
    throw new RangeError(`eventRecord: event ${event.id}: ${(e as Error).message}`);
  }
  let nParticles = 0;
  for (let i = 0; i < pt.length; i++) if (pt[i] > 0) nParticles++;
  const kept = jets.slice(0, o.maxJets);
  const records = kept.map((jet) => jetRecord(jet, fm, pt, o.R));
  // dR to every other kept jet, keyed by its 1-based rank.
  for (let a = 0; a < kept.length; a++) {
    for (let b = 0; b < kept.length; b++) {
      if (a !== b) records[a].dR[`jet${b + 1}`] = jetDeltaR(kept[a], kept[b]);
    }
  }
  const head = { id: event.id, type: eventType(event.label), n_particles: nParticles, n_jets: jets.length };
  // M_jj before "jets": the documented key order.
  return jets.length >= 2 ? { ...head, M_jj: dijetMass(jets[0], jets[1]), jets: records } : { ...head, jets: records };
}

export function eventType(label: 0 | 1 | null): EventType {
  return label === 1 ? "signal" : label === 0 ? "background" : "unknown";
}

/** Invariant mass of the summed four-momenta of two jets [GeV] (FastJet (j1 + j2).m()). */
export function dijetMass(a: Jet, b: Jet): number {
  const px = a.px + b.px, py = a.py + b.py, pz = a.pz + b.pz, E = a.E + b.E;
  return massOf(pz, E, kt2Of(px, py));
}

/** DeltaR between two jets in true rapidity and azimuth (FastJet PseudoJet::delta_R). */
export function jetDeltaR(a: Jet, b: Jet): number {
  const fa = a.phi < 0 ? a.phi + TWOPI : a.phi;
  const fb = b.phi < 0 ? b.phi + TWOPI : b.phi;
  return Math.sqrt(deltaR2(a.rap, fa, b.rap, fb));
}

function jetRecord(jet: Jet, fm: FourMomenta, pt: Float64Array, R: number): JetRecord {
  let lead = 0;
  for (const c of jet.constituents) if (pt[c] > lead) lead = pt[c];
  nsubjettiness(fm, jet.constituents, { beta: 1, R0: R, maxN: 3 }, tau);
  const [t1, t2, t3] = tau;
  return {
    P_T: jet.pt,
    eta: jet.eta,
    phi: jet.phi,
    E: jet.E,
    m: jet.m > 0 ? jet.m : 0,
    n_particles: jet.constituents.length,
    P_T_lead: lead,
    tau1: t1,
    tau2: t2,
    tau3: t3,
    tau21: t1 > 0 ? t2 / t1 : 0,
    tau32: t2 > 0 ? t3 / t2 : 0,
    dR: {},
  };
}
