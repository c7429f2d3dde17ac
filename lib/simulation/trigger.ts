/**
 * The LHCO trigger: at least one anti-kt jet of radius R with pT above threshold, clustered with
 * the project's FastJet-exact clustering (lib/jets).
 *
 * Speed-up that keeps the decision of the full clustering: anti-kt hard jets are soft-resilient.
 * A soft particle's distance to a hard jet, min(1/kt_i^2, 1/kt_j^2) dR^2/R^2, is far below its
 * distance to anything else, so soft particles only join hard jets that lie within about R, and
 * never change which hard particles merge. Hence the hard particles are clustered first; a hard
 * jet's full pT lies in [its pT, its pT + soft pT within R + margin of its axis]. Only events
 * whose bands straddle the threshold are clustered again with every particle (~1 in 5 events).
 */
import { clusterJets, deltaR2 } from "../jets";

/** Particles below this pT [GeV] are left out of the first, cheaper clustering. */
const SOFT_PT = 5;
/** Extra reach in dR for soft particles, covering the small axis shifts as soft particles join. */
const REACH_MARGIN = 0.2;

/** True when the leading anti-kt R jet of the particles has pT > ptMin. */
export function passesTrigger(pt: Float64Array, eta: Float64Array, phi: Float64Array, R: number, ptMin: number): boolean {
  let sum = 0;
  let softSum = 0;
  let nHard = 0;
  for (let i = 0; i < pt.length; i++) {
    sum += pt[i];
    if (pt[i] < SOFT_PT) softSum += pt[i];
    else nHard++;
  }
  if (sum <= ptMin) return false;
  const hardPt = new Float64Array(nHard);
  const hardEta = new Float64Array(nHard);
  const hardPhi = new Float64Array(nHard);
  for (let i = 0, k = 0; i < pt.length; i++) {
    if (pt[i] < SOFT_PT) continue;
    hardPt[k] = pt[i];
    hardEta[k] = eta[i];
    hardPhi[k++] = phi[i];
  }
  const jets = clusterJets(hardPt, hardEta, hardPhi, { algorithm: "antikt", R }, Math.max(0, ptMin - softSum));
  if (jets.length > 0 && jets[0].pt > ptMin) return true;
  // Could soft particles lift any hard jet over the threshold?
  const reach2 = (R + REACH_MARGIN) ** 2;
  let undecided = false;
  for (const j of jets) {
    let band = j.pt;
    for (let i = 0; i < pt.length && band <= ptMin; i++) {
      if (pt[i] >= SOFT_PT) continue;
      if (deltaR2(eta[i], phi[i], j.eta, j.phi) < reach2) band += pt[i];
    }
    if (band > ptMin) {
      undecided = true;
      break;
    }
  }
  if (!undecided) return false;
  const all = clusterJets(pt, eta, phi, { algorithm: "antikt", R }, ptMin);
  return all.length > 0 && all[0].pt > ptMin;
}
