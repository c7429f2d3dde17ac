/**
 * Reference solution of step 3: per event, anti-kt R = 1.0 jets above 20 GeV (hepllm's
 * FastJet-exact clustering and N-subjettiness via eventRecord) reduced to the 12 feature columns
 * of the contract, NaN where a jet is missing.
 */
import { eventRecord } from "../../jets/features";
import { FEATURE_COLUMNS, JET_PTMIN, JET_R } from "../contract";
import { NdArray, toFloat64 } from "../npy";

export function jetFeatures(particles: NdArray): NdArray {
  const [n, slots, three] = particles.shape;
  if (particles.shape.length !== 3 || three !== 3) {
    throw new Error(`particles.npy: shape ${JSON.stringify(particles.shape)}, expected (N, slots, 3)`);
  }
  const p = toFloat64(particles);
  const nf = FEATURE_COLUMNS.length;
  const out = new Float64Array(n * nf).fill(NaN);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < slots; k++) if (p[(i * slots + k) * 3] > 0) m++;
    const pt = new Float64Array(m), eta = new Float64Array(m), phi = new Float64Array(m);
    for (let k = 0, j = 0; k < slots; k++) {
      const o = (i * slots + k) * 3;
      if (p[o] > 0) {
        pt[j] = p[o];
        eta[j] = p[o + 1];
        phi[j] = p[o + 2];
        j++;
      }
    }
    const rec = eventRecord({ id: i, label: null, pt, eta, phi }, { R: JET_R, ptmin: JET_PTMIN, maxJets: 2, algorithm: "antikt" });
    const row = i * nf;
    rec.jets.forEach((jet, j) => {
      const o = row + 5 * j;
      out[o] = jet.P_T;
      out[o + 1] = jet.eta;
      out[o + 2] = jet.phi;
      out[o + 3] = jet.m;
      out[o + 4] = jet.tau21;
    });
    if (rec.M_jj !== undefined) out[row + 10] = rec.M_jj;
    out[row + 11] = rec.n_jets;
  }
  return { dtype: "f8", shape: [n, nf], data: out };
}
