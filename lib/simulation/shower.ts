/**
 * A toy angular-ordered parton shower plus a simple hadronization, ending in massless particles.
 *
 * Each parton emits soft-collinear gluons with density (2 C alpha_s(kt)/pi) dtheta/theta dz/z in
 * the Lund plane, with theta the (eta, phi) distance Delta R decreasing (angular ordering), z the
 * pT fraction and kt = z pT theta above ktCut; emissions are
 * drawn with the Sudakov veto algorithm (overestimate with alpha_s(ktCut), accept with the ratio
 * of couplings and the splitting function). Three-momentum is conserved at each splitting (the
 * emitter recoils), so jets acquire their mass from the opening angles. Every emitted gluon
 * showers in turn inside its own emission angle. Final partons become 1 + Poisson(k) hadrons
 * sharing the parton momentum with Gaussian transverse kicks.
 */
import { Rng } from "../util/rng";
import { ShowerConfig } from "./config";
import { ParticleList } from "./particles";

/** Colour factors: quarks radiate with C_F, gluons with C_A. */
export const CF = 4 / 3;
export const CA = 3;
/** One-loop beta-function coefficient with 5 flavours: (33 - 2 nf) / (12 pi). */
const B0 = 23 / (12 * Math.PI);
/** Largest energy fraction of the softer daughter. */
const ZMAX = 0.5;
/** Safety bound on the recursion (a gluon cascade far below this ends by the kt cut). */
const MAX_DEPTH = 200;

/** Running coupling at scale kt, frozen below 1.5 Lambda to stay finite. */
export function alphaS(kt: number, lambdaQCD: number): number {
  const q = Math.max(kt, 1.5 * lambdaQCD);
  return 1 / (B0 * Math.log((q * q) / (lambdaQCD * lambdaQCD)));
}

/**
 * Showers a parton of momentum (px, py, pz) with colour factor `colour`, first emission below
 * angle thetaMax, and hadronizes the result into `out` (or, with `hadrons` false, writes the
 * final partons there, for a caller that adjusts them before calling `hadronize`).
 */
export function showerParton(px: number, py: number, pz: number, colour: number, thetaMax: number, cfg: ShowerConfig, rng: Rng, out: ParticleList, depth = 0, hadrons = true): void {
  const aMax = alphaS(cfg.ktCut, cfg.lambdaQCD);
  const A = (2 * colour * aMax) / Math.PI;
  let theta = thetaMax;
  for (;;) {
    // Boost-invariant variables: pT plays the role of E, Delta R = hypot(d eta, d phi) of theta.
    const pt = Math.hypot(px, py);
    // L(theta) = ln(ZMAX pT theta / ktCut); the overestimated Sudakov is exp(-A/2 (L0^2 - L^2)).
    const L0 = Math.log((ZMAX * pt * theta) / cfg.ktCut);
    if (L0 <= 0 || depth > MAX_DEPTH) break;
    const L2 = L0 * L0 - (2 * -Math.log(1 - rng.uniform())) / A;
    if (L2 <= 0) break;
    const L = Math.sqrt(L2);
    theta = (Math.exp(L) * cfg.ktCut) / (ZMAX * pt);
    const z = ZMAX * Math.exp(-L * rng.uniform());
    const kt = z * pt * theta;
    const split = colour === CA ? (1 - z * (1 - z)) ** 2 : (1 + (1 - z) * (1 - z)) / 2;
    if (rng.uniform() > (alphaS(kt, cfg.lambdaQCD) / aMax) * split) continue;
    // Emit a gluon with pT z pT at Delta R = theta, azimuth psi in the (eta, phi) plane.
    const eta = Math.asinh(pz / pt);
    const phi = Math.atan2(py, px);
    const psi = 2 * Math.PI * rng.uniform();
    const ge = eta + theta * Math.cos(psi);
    const gp = phi + theta * Math.sin(psi);
    const gpt = z * pt;
    const gx = gpt * Math.cos(gp);
    const gy = gpt * Math.sin(gp);
    const gz = gpt * Math.sinh(ge);
    showerParton(gx, gy, gz, CA, theta, cfg, rng, out, depth + 1, hadrons);
    px -= gx;
    py -= gy;
    pz -= gz;
  }
  if (hadrons) hadronize(px, py, pz, cfg, rng, out);
  else out.add(px, py, pz);
}

/** Splits a final parton into 1 + Poisson(hadronsPerParton) massless hadrons. */
export function hadronize(px: number, py: number, pz: number, cfg: ShowerConfig, rng: Rng, out: ParticleList): void {
  const n = 1 + rng.poisson(cfg.hadronsPerParton);
  const E = Math.sqrt(px * px + py * py + pz * pz);
  if (n === 1 || E < 2 * cfg.minParticlePt) {
    out.add(px, py, pz);
    return;
  }
  const nx = px / E;
  const ny = py / E;
  const nz = pz / E;
  const [ax, ay, az, bx, by, bz] = basis(nx, ny, nz);
  // Energy fractions: a uniform point on the simplex (sorted-uniform gaps).
  const cuts = new Array<number>(n + 1);
  cuts[0] = 0;
  cuts[n] = 1;
  for (let i = 1; i < n; i++) cuts[i] = rng.uniform();
  cuts.sort((a, b) => a - b);
  for (let i = 0; i < n; i++) {
    const e = E * (cuts[i + 1] - cuts[i]);
    const ka = cfg.hadronKt * rng.normal();
    const kb = cfg.hadronKt * rng.normal();
    const kl = Math.sqrt(Math.max(0, e * e - ka * ka - kb * kb));
    out.add(kl * nx + ka * ax + kb * bx, kl * ny + ka * ay + kb * by, kl * nz + ka * az + kb * bz);
  }
}

/** Two unit vectors completing the unit vector n to an orthonormal basis. */
function basis(nx: number, ny: number, nz: number): [number, number, number, number, number, number] {
  // Cross n with the axis it is least aligned with.
  let ax: number, ay: number, az: number;
  if (Math.abs(nx) < 0.6) [ax, ay, az] = [0, nz, -ny];
  else [ax, ay, az] = [-nz, 0, nx];
  const a = Math.hypot(ax, ay, az);
  ax /= a;
  ay /= a;
  az /= a;
  return [ax, ay, az, ny * az - nz * ay, nz * ax - nx * az, nx * ay - ny * ax];
}
