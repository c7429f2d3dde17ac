/**
 * The jet-level record of one event: what `hepllm prepare` writes as one JSONL line and what the
 * prompts and the fusion adapter read. Field names follow the study's format; units GeV.
 * The JSON Schema in lib/dataset/record.schema.json must describe exactly this.
 */
export type EventType = "signal" | "background" | "unknown";

export interface JetRecord {
  /** Jet transverse momentum [GeV]. */
  P_T: number;
  /** Jet pseudorapidity. */
  eta: number;
  /** Jet azimuth in (-pi, pi]. */
  phi: number;
  /** Jet energy [GeV]. */
  E: number;
  /** Jet invariant mass [GeV] (0 when m^2 < 0 by rounding). */
  m: number;
  /** Number of constituents. */
  n_particles: number;
  /** pT of the leading constituent [GeV]. */
  P_T_lead: number;
  /** N-subjettiness, beta = 1, R0 = R, exclusive-kt axes. */
  tau1: number;
  tau2: number;
  tau3: number;
  /** tau2/tau1 (0 when tau1 = 0). */
  tau21: number;
  /** tau3/tau2 (0 when tau2 = 0). */
  tau32: number;
  /** Delta R (rapidity-phi... see features.ts for the convention) to every other kept jet, keyed "jet<k>" (1-based). */
  dR: Record<string, number>;
}

export interface EventRecord {
  /** Row in the source file. */
  id: number;
  type: EventType;
  /** Particles in the event (non-zero slots). */
  n_particles: number;
  /** Jets above the pT threshold (all of them, not only the kept ones). */
  n_jets: number;
  /** Invariant mass of the two leading jets' summed four-momenta [GeV]; absent with fewer than 2 jets. */
  M_jj?: number;
  /** The leading `maxJets` jets, sorted by decreasing pT. */
  jets: JetRecord[];
}
