/**
 * QCD dijet background: two back-to-back partons (gluon or quark), pT from a steep power law
 * above a threshold below the trigger, rapidities from Gaussian boost and separation, a shared
 * ISR recoil; each parton showered into a one-prong jet with wide-angle radiation.
 */
import { Rng } from "../util/rng";
import { SimulationConfig } from "./config";
import { ParticleList } from "./particles";
import { CA, CF, showerParton } from "./shower";

export function qcdDijet(cfg: SimulationConfig, rng: Rng, out: ParticleList): void {
  const b = cfg.background;
  const pt = partonPt(cfg, rng);
  const dy = b.deltaYSigma * rng.normal();
  const yb = b.boostSigma * rng.normal();
  const phi = 2 * Math.PI * rng.uniform() - Math.PI;
  // ISR recoil: the system's transverse momentum, shared by the two partons.
  const recoil = rng.exponential(b.recoilPt) / 2;
  const recoilPhi = 2 * Math.PI * rng.uniform();
  const rx = recoil * Math.cos(recoilPhi);
  const ry = recoil * Math.sin(recoilPhi);
  for (const [y, ph] of [[yb + dy / 2, phi], [yb - dy / 2, phi + Math.PI]]) {
    const colour = rng.uniform() < b.gluonFraction ? CA : CF;
    showerParton(pt * Math.cos(ph) + rx, pt * Math.sin(ph) + ry, pt * Math.sinh(y), colour, cfg.shower.thetaMaxQCD, cfg.shower, rng, out);
  }
}

/** Centre-of-mass energy of the LHC run [GeV]. */
const SQRT_S = 13000;

/** Parton pT: power law pT^-n above ptMin, times (1 - 2 pT/sqrt(s))^k by accept-reject. */
function partonPt(cfg: SimulationConfig, rng: Rng): number {
  const b = cfg.background;
  const x0 = 1 - (2 * b.ptMin) / SQRT_S;
  for (;;) {
    const pt = b.ptMin * Math.pow(1 - rng.uniform(), -1 / (b.ptPower - 1));
    const x = 1 - (2 * pt) / SQRT_S;
    if (x > 0 && (b.pdfPower === 0 || rng.uniform() < Math.pow(x / x0, b.pdfPower))) return pt;
  }
}
