/**
 * Seeded random LHCO-like events for clustering tests and benchmarks: two hard back-to-back sprays
 * (each ~1 TeV split over tens of particles within ~R of its axis), some prongs (boosted
 * two/three-body decays), and soft uniform underlying event, |eta| < 4, pT in GeV, as massless
 * (pT, eta, phi) with phi in (-pi, pi]. Not physics: a stress test with realistic multiplicity and
 * geometry (the real file has ~170 particles per event).
 */
import type { Event } from "../../lib/events/event";
import { Rng } from "../../lib/util/rng";

export interface RandomEventOptions {
  /** Mean number of particles per event (real LHCO R&D: ~170). */
  meanParticles: number;
}

function wrapPhi(f: number): number {
  while (f > Math.PI) f -= 2 * Math.PI;
  while (f <= -Math.PI) f += 2 * Math.PI;
  return f;
}

export function randomEvents(n: number, seed: number, opts: Partial<RandomEventOptions> = {}): Event[] {
  const meanParticles = opts.meanParticles ?? 170;
  const rng = new Rng(seed);
  const events: Event[] = [];
  for (let id = 0; id < n; id++) {
    const pt: number[] = [], eta: number[] = [], phi: number[] = [];
    const nTotal = Math.max(4, rng.poisson(meanParticles));
    const nSoft = Math.floor(nTotal * rng.range(0.3, 0.5));
    const phi0 = rng.range(-Math.PI, Math.PI);
    for (let jet = 0; jet < 2; jet++) {
      const axisEta = rng.range(-1.5, 1.5);
      const axisPhi = wrapPhi(phi0 + jet * Math.PI + rng.normal() * 0.1);
      const nJet = Math.floor((nTotal - nSoft) / 2);
      const jetPt = rng.range(600, 1500);
      // 1-3 prongs, each a narrow spray around a direction within ~0.6 of the axis.
      const nProngs = 1 + rng.int(3);
      for (let k = 0; k < nJet; k++) {
        const prong = k % nProngs;
        const spread = prong === 0 ? 0.15 : 0.08;
        const offEta = prong === 0 ? 0 : 0.5 * Math.cos(prong * 2.1 + jet);
        const offPhi = prong === 0 ? 0 : 0.5 * Math.sin(prong * 2.1 + jet);
        pt.push(jetPt * rng.exponential(1) / nJet);
        eta.push(axisEta + offEta + rng.normal() * spread);
        phi.push(wrapPhi(axisPhi + offPhi + rng.normal() * spread));
      }
    }
    for (let k = 0; k < nSoft; k++) {
      pt.push(0.5 + rng.exponential(2));
      eta.push(rng.range(-4, 4));
      phi.push(rng.range(-Math.PI, Math.PI));
    }
    events.push({ id, label: null, pt: Float64Array.from(pt), eta: Float64Array.from(eta), phi: Float64Array.from(phi) });
  }
  return events;
}
