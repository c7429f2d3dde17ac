/**
 * Four-vectors [E, px, py, pz] in GeV, Lorentz boosts and isotropic two-body decays, for the
 * resonance chain W' -> X Y -> (qq)(qq).
 */
import { Rng } from "../util/rng";

export type FourVector = [number, number, number, number];

/** A particle of mass m with transverse momentum pt, rapidity y and azimuth phi. */
export function fromPtYPhiM(pt: number, y: number, phi: number, m: number): FourVector {
  const mt = Math.sqrt(pt * pt + m * m);
  return [mt * Math.cosh(y), pt * Math.cos(phi), pt * Math.sin(phi), mt * Math.sinh(y)];
}

/** Boosts p by the velocity of the frame whose four-momentum is `frame` (rest frame -> lab). */
export function boost(p: FourVector, frame: FourVector): FourVector {
  const [E, px, py, pz] = frame;
  const bx = px / E;
  const by = py / E;
  const bz = pz / E;
  const b2 = bx * bx + by * by + bz * bz;
  if (b2 === 0) return [...p] as FourVector;
  const gamma = 1 / Math.sqrt(1 - b2);
  const bp = bx * p[1] + by * p[2] + bz * p[3];
  const g2 = (gamma - 1) / b2;
  const k = g2 * bp + gamma * p[0];
  return [gamma * (p[0] + bp), p[1] + k * bx, p[2] + k * by, p[3] + k * bz];
}

/** Two-body decay of `parent` (mass M) into masses m1, m2, isotropic in the parent rest frame. */
export function decayTwoBody(parent: FourVector, m1: number, m2: number, rng: Rng): [FourVector, FourVector] {
  const M = mass(parent);
  if (m1 + m2 >= M) throw new RangeError(`decay ${M.toFixed(1)} -> ${m1} + ${m2} GeV is kinematically forbidden`);
  // Momentum in the rest frame from the Kallen function.
  const p = Math.sqrt((M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)) / (2 * M);
  const cos = 2 * rng.uniform() - 1;
  const sin = Math.sqrt(1 - cos * cos);
  const phi = 2 * Math.PI * rng.uniform();
  const d: [number, number, number] = [p * sin * Math.cos(phi), p * sin * Math.sin(phi), p * cos];
  const a: FourVector = [Math.sqrt(p * p + m1 * m1), d[0], d[1], d[2]];
  const b: FourVector = [Math.sqrt(p * p + m2 * m2), -d[0], -d[1], -d[2]];
  return [boost(a, parent), boost(b, parent)];
}

/**
 * Two-body decay of `parent` into masses m1, m2 with the polar angle theta* of daughter 1 measured
 * in the parent rest frame from the parent's flight direction (the helicity frame), drawn from
 * dN/dcos(theta*) ~ 1 + a cos^2(theta*): a = 0 isotropic, a = -1 a longitudinally polarised vector
 * (sin^2), a = +1 a transversely polarised one; the azimuth about that axis is uniform.
 */
export function decayTwoBodyHelicity(parent: FourVector, m1: number, m2: number, a: number, rng: Rng): [FourVector, FourVector] {
  if (!(a >= -1 && a <= 1)) throw new RangeError(`decay angular coefficient must be in [-1, 1], got ${a}`);
  const M = mass(parent);
  if (m1 + m2 >= M) throw new RangeError(`decay ${M.toFixed(1)} -> ${m1} + ${m2} GeV is kinematically forbidden`);
  const p = Math.sqrt((M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2)) / (2 * M);
  // Accept-reject on the flat envelope max(1, 1 + a) of 1 + a c^2.
  let cos: number;
  do cos = 2 * rng.uniform() - 1;
  while (rng.uniform() * Math.max(1, 1 + a) > 1 + a * cos * cos);
  const sin = Math.sqrt(1 - cos * cos);
  const phi = 2 * Math.PI * rng.uniform();
  // Helicity axis n = parent direction (lab z when the parent is at rest), with u, v completing it.
  const pp = Math.hypot(parent[1], parent[2], parent[3]);
  const n: [number, number, number] = pp > 0 ? [parent[1] / pp, parent[2] / pp, parent[3] / pp] : [0, 0, 1];
  const u: [number, number, number] = Math.abs(n[0]) < 0.6 ? [0, n[2], -n[1]] : [-n[2], 0, n[0]];
  const un = Math.hypot(u[0], u[1], u[2]);
  for (let i = 0; i < 3; i++) u[i] /= un;
  const v: [number, number, number] = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
  const d = [0, 1, 2].map((i) => p * (cos * n[i] + sin * (Math.cos(phi) * u[i] + Math.sin(phi) * v[i])));
  const a4: FourVector = [Math.sqrt(p * p + m1 * m1), d[0], d[1], d[2]];
  const b4: FourVector = [Math.sqrt(p * p + m2 * m2), -d[0], -d[1], -d[2]];
  return [boost(a4, parent), boost(b4, parent)];
}

/** Invariant mass (0 when m^2 < 0 by rounding). */
export function mass(p: FourVector): number {
  return Math.sqrt(Math.max(0, p[0] * p[0] - p[1] * p[1] - p[2] * p[2] - p[3] * p[3]));
}

/** Opening angle Delta R = hypot(d eta, d phi) of two momenta (pseudorapidity, phi wrapped). */
export function deltaR(a: FourVector, b: FourVector): number {
  const ea = Math.asinh(a[3] / Math.hypot(a[1], a[2]));
  const eb = Math.asinh(b[3] / Math.hypot(b[1], b[2]));
  let dphi = Math.abs(Math.atan2(a[2], a[1]) - Math.atan2(b[2], b[1]));
  if (dphi > Math.PI) dphi = 2 * Math.PI - dphi;
  return Math.hypot(ea - eb, dphi);
}
