/**
 * Reference solution of step 2: an LHCO file as arrays, particles (N, 700, 3) float64 holding
 * (pT, eta, phi) per slot with the zero padding, and labels (N,) int64 (-1 without labels).
 * The reader drops padding slots (pT = 0); LHCO rows are padded at the end, so the kept particles
 * fill the first slots in file order.
 */
import { openLHCO } from "../../events";
import { MAX_PARTICLES } from "../contract";
import { NdArray } from "../npy";

export async function lhcoToArrays(file: string, chunkSize = 1000): Promise<{ particles: NdArray; labels: NdArray }> {
  const lhco = await openLHCO(file);
  try {
    const n = lhco.info.nEvents;
    const particles = new Float64Array(n * MAX_PARTICLES * 3);
    const labels = new BigInt64Array(n);
    for (const chunk of lhco.chunks({ chunkSize })) {
      for (const ev of chunk) {
        const base = ev.id * MAX_PARTICLES * 3;
        for (let k = 0; k < ev.pt.length; k++) {
          particles[base + 3 * k] = ev.pt[k];
          particles[base + 3 * k + 1] = ev.eta[k];
          particles[base + 3 * k + 2] = ev.phi[k];
        }
        labels[ev.id] = BigInt(ev.label ?? -1);
      }
    }
    return {
      particles: { dtype: "f8", shape: [n, MAX_PARTICLES, 3], data: particles },
      labels: { dtype: "i8", shape: [n], data: labels },
    };
  } finally {
    lhco.close();
  }
}
