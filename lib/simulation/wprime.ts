/**
 * W' signal: W' (Breit-Wigner around m_W', small ISR pT) -> X Y isotropically, X -> qq and
 * Y -> qq with the polar angle in the helicity frame from 1 + a cos^2 (a = 0: isotropic; a = -0.6
 * and -1, longitudinal-like, were tried against the real table and made tau21 too two-prong).
 * Each quark is showered inside the angle of its pair (colour-singlet angular ordering); the
 * decay's partons are then given back the resonance four-momentum (recoil.ts) before they
 * hadronize, so each boosted X or Y becomes a two-prong fat jet whose mass peak sits at m_X or
 * m_Y plus hadronization, underlying event and detector effects (real: ~110 GeV for Y = 100).
 */
import { Rng } from "../util/rng";
import { SimulationConfig } from "./config";
import { decayTwoBody, decayTwoBodyHelicity, deltaR, fromPtYPhiM, FourVector } from "./kinematics";
import { ParticleList } from "./particles";
import { conserveResonanceMomentum } from "./recoil";
import { CF, hadronize, showerParton } from "./shower";

export function wprimeSignal(cfg: SimulationConfig, rng: Rng, out: ParticleList): void {
  const [mW, mX, mY] = cfg.masses;
  const s = cfg.signal;
  const mass = breitWigner(mW, s.widthFraction * mW, mX + mY + 1, rng);
  const w = fromPtYPhiM(rng.exponential(s.meanPt), s.rapiditySigma * rng.normal(), 2 * Math.PI * rng.uniform(), mass);
  const mx = breitWigner(mX, s.daughterWidthFraction * mX, 1, rng);
  const my = breitWigner(mY, s.daughterWidthFraction * mY, 1, rng);
  const scale = Math.min(1, (0.999 * mass) / (mx + my));
  const [x, y] = decayTwoBody(w, mx * scale, my * scale, rng);
  for (const v of [x, y]) {
    const [q1, q2] = decayTwoBodyHelicity(v, 0, 0, s.decayAngularCoefficient, rng);
    const theta = s.showerAngleFactor * deltaR(q1, q2);
    // Parton shower of the decay, its four-momentum made the resonance's, then hadronization.
    partons.clear();
    showerQuark(q1, theta, cfg, rng, partons);
    showerQuark(q2, theta, cfg, rng, partons);
    if (s.conserveResonanceMomentum) conserveResonanceMomentum(partons, 0, v);
    for (let i = 0; i < partons.n; i++) hadronize(partons.px[i], partons.py[i], partons.pz[i], cfg.shower, rng, out);
  }
}

/** Final partons of one resonance decay before hadronization (reused between calls). */
const partons = new ParticleList(256);

function showerQuark(q: FourVector, thetaMax: number, cfg: SimulationConfig, rng: Rng, out: ParticleList): void {
  showerParton(q[1], q[2], q[3], CF, thetaMax, cfg.shower, rng, out, 0, false);
}

/** Non-relativistic Breit-Wigner (Cauchy) sample around m with width gamma, kept above `floor` and below 1.5 m. */
function breitWigner(m: number, gamma: number, floor: number, rng: Rng): number {
  for (;;) {
    const x = m + (gamma / 2) * Math.tan(Math.PI * (rng.uniform() - 0.5));
    if (x > floor && x < 1.5 * m) return x;
  }
}
