/**
 * Four-momentum conservation for a resonance's shower. The toy shower and hadronization conserve
 * three-momentum only (massless emitter and emission share the parent's momentum), so every
 * splitting adds energy and the products of X -> qq come out heavier than X (about +20% for Y at
 * 100 GeV). A real resonance decay conserves the four-momentum of the resonance, as Pythia's
 * dipole recoil does within the decay system. Here the products are boosted to their own rest
 * frame, their momenta scaled by one common factor so their energies sum to the resonance mass,
 * and boosted to the resonance's frame: the system's mass and momentum become the resonance's;
 * opening angles in the rest frame, and hence the prong structure, are kept.
 */
import { boost, FourVector, mass } from "./kinematics";
import { ParticleList } from "./particles";

/** Makes the massless particles [from, list.n) sum to `target` (mass > 0) in four-momentum. */
export function conserveResonanceMomentum(list: ParticleList, from: number, target: FourVector): void {
  let E = 0;
  let px = 0;
  let py = 0;
  let pz = 0;
  for (let i = from; i < list.n; i++) {
    E += Math.hypot(list.px[i], list.py[i], list.pz[i]);
    px += list.px[i];
    py += list.py[i];
    pz += list.pz[i];
  }
  const mProducts = mass([E, px, py, pz]);
  const mTarget = mass(target);
  if (!(mProducts > 0) || !(mTarget > 0)) return; // a single collinear particle: nothing to rescale
  // Inverse boost of the products' system: a frame moving with -P.
  const rest: FourVector = [E, -px, -py, -pz];
  const scale = mTarget / mProducts;
  for (let i = from; i < list.n; i++) {
    const p: FourVector = [Math.hypot(list.px[i], list.py[i], list.pz[i]), list.px[i], list.py[i], list.pz[i]];
    const r = boost(p, rest);
    const lab = boost([r[0] * scale, r[1] * scale, r[2] * scale, r[3] * scale], target);
    list.px[i] = lab[1];
    list.py[i] = lab[2];
    list.pz[i] = lab[3];
  }
}
