/**
 * A minimal Delphes-like detector response on the final particles. The real LHCO particles are
 * Delphes energy-flow objects: charged hadrons are tracks (precise momentum and direction), while
 * photons and neutral hadrons are calorimeter deposits whose energy is smeared,
 * sigma_E / E = stochastic / sqrt(E) (+) constant. This is what gives the real X (500 GeV) and
 * Y (100 GeV) jet-mass peaks and the W' dijet-mass peak their width (real: X peak ~ +-25 GeV,
 * where the generator-level shower alone gives ~ +-10 GeV). Direction smearing (calorimeter
 * cells) was tried and left out: a 0.02-0.05 rad spread on a third of the particles made
 * tau21 of both classes far more one-prong-like than the real table.
 */
import { Rng } from "../util/rng";
import { DetectorConfig } from "./config";
import { ParticleList } from "./particles";

/** Smears the calorimeter (neutral) share of the particles in place. */
export function detectorResponse(list: ParticleList, cfg: DetectorConfig, rng: Rng): void {
  for (let i = 0; i < list.n; i++) {
    if (rng.uniform() >= cfg.neutralFraction) continue; // a track: kept as generated
    const px = list.px[i];
    const py = list.py[i];
    const pz = list.pz[i];
    const E = Math.hypot(px, py, pz);
    if (E === 0) continue;
    const sigma = Math.hypot(cfg.caloStochastic / Math.sqrt(E), cfg.caloConstant);
    // Energy response, truncated at zero (a deposit cannot have negative energy).
    const k = Math.max(0, 1 + sigma * rng.normal());
    // A massless deposit keeps its direction: scaling the momentum scales E by k.
    list.px[i] = k * px;
    list.py[i] = k * py;
    list.pz[i] = k * pz;
  }
}
