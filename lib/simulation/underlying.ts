/**
 * Underlying event: soft particles (log-normal pT) over |eta| < etaMax, denser inside the tracker,
 * with log-normal event-to-event activity, plus a few showered initial-state-radiation partons
 * that make the soft extra jets seen in the real file.
 */
import { Rng } from "../util/rng";
import { SimulationConfig } from "./config";
import { ParticleList } from "./particles";
import { CA, showerParton } from "./shower";

/** Tracker acceptance: the UE density is higher inside it (tracks + towers) than outside (towers). */
const TRACKER_ETA = 2.5;

/** Soft particles and ISR partons; `scale` multiplies the mean activity (signal: cfg.signal.ueFactor). */
export function underlyingEvent(cfg: SimulationConfig, rng: Rng, out: ParticleList, scale = 1): void {
  const ue = cfg.ue;
  const etaMax = cfg.shower.etaMax;
  const activity = scale * Math.exp(ue.activitySpread * rng.normal() - (ue.activitySpread * ue.activitySpread) / 2);
  const n = rng.poisson(ue.meanParticles * activity);
  for (let i = 0; i < n; i++) {
    const central = rng.uniform() < ue.centralFraction;
    const a = central ? rng.range(-TRACKER_ETA, TRACKER_ETA) : rng.range(TRACKER_ETA, etaMax) * (rng.uniform() < 0.5 ? -1 : 1);
    const pt = ue.ptMedian * Math.exp(ue.ptLogSigma * rng.normal());
    out.addPtEtaPhi(pt, a, 2 * Math.PI * rng.uniform() - Math.PI);
  }
  const nIsr = rng.poisson(ue.isrMean * activity);
  for (let i = 0; i < nIsr; i++) {
    // Inverse CDF of dN/dpT ~ 1/pT^2 from isrPtMin, truncated at 20 isrPtMin [GeV].
    const pt = ue.isrPtMin / (1 - rng.uniform() * 0.95);
    const y = rng.range(-4, 4);
    const phi = 2 * Math.PI * rng.uniform() - Math.PI;
    showerParton(pt * Math.cos(phi), pt * Math.sin(phi), pt * Math.sinh(y), CA, 1.0, cfg.shower, rng, out);
  }
}
