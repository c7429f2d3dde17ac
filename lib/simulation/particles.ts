/**
 * Massless final-state particles collected as 3-momenta (px, py, pz) [GeV] while an event is
 * generated, then turned into the LHCO (pT, eta, phi) form with detector acceptance applied.
 */
import { LHCO_MAX_PARTICLES } from "../events/event";

export class ParticleList {
  px: Float64Array;
  py: Float64Array;
  pz: Float64Array;
  n = 0;

  constructor(capacity = 1024) {
    this.px = new Float64Array(capacity);
    this.py = new Float64Array(capacity);
    this.pz = new Float64Array(capacity);
  }

  clear(): void {
    this.n = 0;
  }

  add(px: number, py: number, pz: number): void {
    if (this.n === this.px.length) this.grow();
    this.px[this.n] = px;
    this.py[this.n] = py;
    this.pz[this.n] = pz;
    this.n++;
  }

  /** Adds a massless particle given (pT, eta, phi). */
  addPtEtaPhi(pt: number, eta: number, phi: number): void {
    this.add(pt * Math.cos(phi), pt * Math.sin(phi), pt * Math.sinh(eta));
  }

  private grow(): void {
    const cap = this.px.length * 2;
    for (const k of ["px", "py", "pz"] as const) {
      const a = new Float64Array(cap);
      a.set(this[k]);
      this[k] = a;
    }
  }

  /**
   * (pT, eta, phi) of the accepted particles: pT >= minPt and |eta| <= etaMax, at most 700
   * (the hardest kept when over), in generation order, optionally rounded to float32.
   */
  toPtEtaPhi(minPt: number, etaMax: number, float32: boolean): { pt: Float64Array; eta: Float64Array; phi: Float64Array } {
    const r = float32 ? Math.fround : (x: number) => x;
    let pt = new Float64Array(this.n);
    let eta = new Float64Array(this.n);
    let phi = new Float64Array(this.n);
    let n = 0;
    for (let i = 0; i < this.n; i++) {
      const p = Math.hypot(this.px[i], this.py[i]);
      if (p < minPt) continue;
      const h = Math.asinh(this.pz[i] / p);
      if (Math.abs(h) > etaMax) continue;
      pt[n] = r(p);
      eta[n] = r(h);
      phi[n] = r(Math.atan2(this.py[i], this.px[i]));
      n++;
    }
    if (n > LHCO_MAX_PARTICLES) {
      // Keep the hardest 700, in generation order: all above the 700th largest pT (`cut`), and
      // the first `ties` particles at exactly `cut` (float32 rounding makes ties possible).
      const sorted = pt.slice(0, n).sort();
      const cut = sorted[n - LHCO_MAX_PARTICLES];
      let ties = 0;
      for (let i = n - LHCO_MAX_PARTICLES; i < n && sorted[i] === cut; i++) ties++;
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (pt[i] < cut) continue;
        if (pt[i] === cut && ties-- <= 0) continue;
        pt[k] = pt[i];
        eta[k] = eta[i];
        phi[k] = phi[i];
        k++;
      }
      n = k;
    }
    pt = pt.slice(0, n);
    eta = eta.slice(0, n);
    phi = phi.slice(0, n);
    return { pt, eta, phi };
  }
}
