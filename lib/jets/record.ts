/**
 * The jet-level record of one event: what `hepllm prepare` writes as one JSONL line and what the
 * prompts and the fusion adapter read (built by eventRecord in features.ts). Field names follow the
 * study's format; units GeV; numbers at full double precision (writers may round).
 * The JSON Schema in lib/dataset/record.schema.json must describe exactly this.
 *
 * Optional fields (`?`) are ABSENT, never zero, when the source cannot give them: records read
 * from a jet-feature table (lib/dataset/feature-table.ts) have no constituent counts, no leading-
 * constituent pT and no event multiplicity. Records clustered from particles (`prepare`) have all.
 */
export type EventType = "signal" | "background" | "unknown";

export interface JetRecord {
  /** Jet transverse momentum [GeV]. */
  P_T: number;
  /** Jet pseudorapidity eta = -ln tan(theta/2) (FastJet eta(); not the rapidity used for clustering). */
  eta: number;
  /** Jet azimuth in (-pi, pi]. */
  phi: number;
  /** Jet energy [GeV]. */
  E: number;
  /** Jet invariant mass [GeV] of the E-scheme four-momentum (0 when m^2 < 0 by rounding). */
  m: number;
  /** Number of constituents; absent when the source has no constituents (feature tables). */
  n_particles?: number;
  /** pT of the leading constituent [GeV]; absent when the source has no constituents. */
  P_T_lead?: number;
  /** N-subjettiness, beta = 1, R0 = R, exclusive-kt axes, fjcontrib's normalised measure (dimensionless; 0 when the jet has <= N constituents). */
  tau1: number;
  tau2: number;
  tau3: number;
  /** tau2/tau1 (0 when tau1 = 0). */
  tau21: number;
  /** tau3/tau2 (0 when tau2 = 0). */
  tau32: number;
  /**
   * Delta R = sqrt(Delta y^2 + Delta phi^2) to every other kept jet, keyed "jet<k>" (k = 1-based
   * rank), in true rapidity y as FastJet's PseudoJet::delta_R and the clustering (not in the eta above).
   */
  dR: Record<string, number>;
}

export interface EventRecord {
  /** Row in the source file. */
  id: number;
  type: EventType;
  /** Particles in the event (slots with pT > 0); absent when the source has no particles. */
  n_particles?: number;
  /** Jets with pT >= the threshold (all of them, not only the kept ones). */
  n_jets: number;
  /** Invariant mass of the two leading jets' summed four-momenta [GeV]; absent with fewer than 2 jets. */
  M_jj?: number;
  /** The leading `maxJets` jets, sorted by decreasing pT. */
  jets: JetRecord[];
}
