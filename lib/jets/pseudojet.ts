/**
 * FastJet 3.4 PseudoJet kinematics on plain numbers, with FastJet's exact floating-point formulas
 * (PseudoJet.cc / PseudoJet.hh), so that distances, and hence merge decisions, agree bit for bit
 * with FastJet given the same four-momenta. Units GeV; angles in radians.
 */

export const PI = Math.PI;
/** FastJet's `twopi` (2*pi rounded once, as in numconsts.hh). */
export const TWOPI = 2 * Math.PI;
/** FastJet's MaxRap: stand-in rapidity for zero-pt momenta along the beam. */
export const MAX_RAP = 1e5;

/** Four-momenta of n particles in flat arrays (E-scheme inputs), each of length >= n. */
export interface FourMomenta {
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  E: Float64Array;
}

/**
 * Massless four-momenta from LHCO (pT, eta, phi): px = pT cos(phi), py = pT sin(phi),
 * pz = pT sinh(eta), E = pT cosh(eta). (Clustering is FastJet-exact given these four-momenta;
 * other constructions differ only in the last bits, far below the reference CSV's precision.)
 */
export function fourMomenta(pt: ArrayLike<number>, eta: ArrayLike<number>, phi: ArrayLike<number>, out?: FourMomenta): FourMomenta {
  const n = pt.length;
  const fm = out && out.px.length >= n ? out : { px: new Float64Array(n), py: new Float64Array(n), pz: new Float64Array(n), E: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const p = pt[i], h = eta[i], f = phi[i];
    fm.px[i] = p * Math.cos(f);
    fm.py[i] = p * Math.sin(f);
    fm.pz[i] = p * Math.sinh(h);
    fm.E[i] = p * Math.cosh(h);
  }
  return fm;
}

/** kt^2 = px^2 + py^2 (PseudoJet::_finish_init). */
export function kt2Of(px: number, py: number): number {
  return px * px + py * py;
}

/** Azimuth in [0, 2pi) (PseudoJet::_set_rap_phi). */
export function phi02pi(px: number, py: number, kt2: number): number {
  let phi = kt2 === 0 ? 0 : Math.atan2(py, px);
  if (phi < 0) phi += TWOPI;
  if (phi >= TWOPI) phi -= TWOPI;
  return phi;
}

/** Azimuth in (-pi, pi] (PseudoJet::phi_std). */
export function phiStd(px: number, py: number, kt2: number): number {
  const phi = phi02pi(px, py, kt2);
  return phi > PI ? phi - TWOPI : phi;
}

/** m^2 = (E+pz)(E-pz) - kt^2 (PseudoJet::m2). */
export function m2Of(pz: number, E: number, kt2: number): number {
  return (E + pz) * (E - pz) - kt2;
}

/** Signed invariant mass: -sqrt(-m^2) when m^2 < 0 (PseudoJet::m). */
export function massOf(pz: number, E: number, kt2: number): number {
  const mm = m2Of(pz, E, kt2);
  return mm < 0 ? -Math.sqrt(-mm) : Math.sqrt(mm);
}

/** True rapidity y, roundoff-safe form of PseudoJet::_set_rap_phi; +-(MaxRap+|pz|) for zero-pt beam momenta. */
export function rapidityOf(pz: number, E: number, kt2: number): number {
  const apz = Math.abs(pz);
  if (E === apz && kt2 === 0) {
    const maxRapHere = MAX_RAP + apz;
    return pz >= 0 ? maxRapHere : -maxRapHere;
  }
  const mm = (E + pz) * (E - pz) - kt2;
  const effM2 = mm > 0 ? mm : 0; // max(0.0, m2()): force a non-tachyonic mass
  const ePlusPz = E + apz; // the safer of p+ and p-
  const rap = 0.5 * Math.log((kt2 + effM2) / (ePlusPz * ePlusPz));
  return pz > 0 ? -rap : rap;
}

/** Pseudorapidity eta = -ln tan(theta/2) (PseudoJet::pseudorapidity); MaxRap when pt = 0. */
export function pseudorapidityOf(px: number, py: number, pz: number): number {
  if (px === 0 && py === 0) return MAX_RAP;
  if (pz === 0) return 0;
  let theta = Math.atan(Math.sqrt(px * px + py * py) / pz);
  if (theta < 0) theta += PI;
  return -Math.log(Math.tan(theta / 2));
}

/** Squared rapidity-azimuth distance with phis in [0, 2pi) (PseudoJet::plain_distance, ClusterSequence::_bj_dist). */
export function deltaR2(rapA: number, phiA: number, rapB: number, phiB: number): number {
  let dphi = Math.abs(phiA - phiB);
  if (dphi > PI) dphi = TWOPI - dphi;
  const drap = rapA - rapB;
  return dphi * dphi + drap * drap;
}
