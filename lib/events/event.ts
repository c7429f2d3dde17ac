/**
 * One LHCO event as read from a file or made by the simulator.
 * Particles are massless (pT, eta, phi) as in the LHCO files, zero-padding removed, in file order
 * (not sorted). Units: GeV for pT; eta is pseudorapidity; phi in radians.
 */
export interface Event {
  /** Row in the source file (0-based), kept so a record can be traced back. */
  id: number;
  /** 1 signal, 0 background, null when the file has no label (black box without a master key). */
  label: 0 | 1 | null;
  /** Transverse momenta [GeV], length n. */
  pt: Float64Array;
  /** Pseudorapidities, length n. */
  eta: Float64Array;
  /** Azimuths [rad], length n. */
  phi: Float64Array;
}

/** Columns per particle in an LHCO row: pT, eta, phi. */
export const LHCO_COLUMNS_PER_PARTICLE = 3;
/** Particle slots per LHCO row (zero-padded). */
export const LHCO_MAX_PARTICLES = 700;
