/**
 * Configuration of the LHCO-like event simulator: plain data, one line of reason per knob.
 * Physics knobs were tuned against the real LHCO R&D tiny file (calibration.ts) and then, per
 * class, against the 76,000-event real R&D jet-feature table (feature-calibration.ts, issue 11):
 * resonance four-momentum conservation (recoil.ts), a calorimeter energy response (detector.ts),
 * softer hadronization kicks (hadronKt 0.35 -> 0.25: the Y jet-mass peak sat ~15 GeV high and
 * QCD jets had too few light masses) and one more hadron per parton (5.5 -> 6: the calorimeter
 * response pushes ~5% of soft deposits under the 0.1 GeV threshold). GeV, radians.
 */

export interface ShowerConfig {
  /** Lund-plane cutoff: emissions need kt = z E theta above this [GeV]; sets parton multiplicity. */
  ktCut: number;
  /** QCD scale of the one-loop running coupling [GeV]; alpha_s(kt) = 1/(b0 ln(kt^2/Lambda^2)). */
  lambdaQCD: number;
  /** Largest angle of the first emission off a QCD dijet parton (wide-angle radiation makes extra jets). */
  thetaMaxQCD: number;
  /** Mean hadrons per final parton beyond the first (Poisson): parton-to-particle multiplicity (before the detector loses soft deposits). */
  hadronsPerParton: number;
  /** Gaussian width of each hadron's momentum kick transverse to its parton [GeV]; adds the non-perturbative jet mass (m^2 ~ pT * kicks). */
  hadronKt: number;
  /** Particles below this pT are lost (Delphes tracking/tower thresholds; real file min ~0.1) [GeV]. */
  minParticlePt: number;
  /** Acceptance in |eta| (calorimeters reach 5 in the real file). */
  etaMax: number;
}

export interface UnderlyingEventConfig {
  /** Mean number of soft particles from the underlying event. */
  meanParticles: number;
  /** Log-normal spread of the per-event UE activity (multiplicity fluctuates event to event). */
  activitySpread: number;
  /** Fraction of UE particles inside the tracker |eta| < 2.5 (the rest up to etaMax). */
  centralFraction: number;
  /** Median pT of UE particles (log-normal spectrum, as in the real file away from jets) [GeV]. */
  ptMedian: number;
  /** Log-normal width of the UE pT spectrum. */
  ptLogSigma: number;
  /** Mean number of initial-state-radiation partons (extra soft jets), Poisson. */
  isrMean: number;
  /** Lower pT of ISR partons [GeV], spectrum dN/dpT ~ 1/pT^2 above it (up to 20 times it). */
  isrPtMin: number;
}

export interface BackgroundConfig {
  /** Generated lower bound on parton pT, below the 1.2 TeV trigger so its turn-on is modelled [GeV]. */
  ptMin: number;
  /** Power n of the parton spectrum dN/dpT ~ pT^-n (steeply falling, like QCD at 13 TeV). */
  ptPower: number;
  /** Extra PDF-like fall-off (1 - 2 pT / sqrt(s))^k at high pT, sqrt(s) = 13 TeV (real jet pT tail is steeper than a power law). */
  pdfPower: number;
  /** Gaussian width of the rapidity difference of the two partons (PDF-suppressed t-channel). */
  deltaYSigma: number;
  /** Gaussian width of the dijet system's rapidity (parton momentum-fraction asymmetry). */
  boostSigma: number;
  /** Mean transverse momentum of the dijet system from initial-state radiation (exponential) [GeV]. */
  recoilPt: number;
  /** Probability that a final-state parton is a gluon (qg dominates at these masses; tuned on jet masses). */
  gluonFraction: number;
}

export interface SignalConfig {
  /** W' width over mass (Breit-Wigner). */
  widthFraction: number;
  /** Gaussian width of the W' rapidity (quark-antiquark annihilation at 13 TeV). */
  rapiditySigma: number;
  /** Mean W' transverse momentum from initial-state radiation (exponential) [GeV]. */
  meanPt: number;
  /** UE and ISR activity relative to QCD: a colour-singlet s-channel W' radiates less (real: ~35 vs ~55 particles outside the jets). */
  ueFactor: number;
  /** First-emission angle of the decay quarks over their pair's opening angle (1 = strict colour-singlet angular ordering). */
  showerAngleFactor: number;
  /** Width of X and Y over their masses (narrow resonances). */
  daughterWidthFraction: number;
  /** a in dN/dcos(theta*) ~ 1 + a cos^2(theta*) of X, Y -> qq in the helicity frame (0 isotropic, -1 longitudinal). */
  decayAngularCoefficient: number;
  /** Rescale the showered X and Y decay products to the resonance four-momentum (see recoil.ts). */
  conserveResonanceMomentum: boolean;
}

export interface DetectorConfig {
  /** Share of final particles measured by the calorimeters (photons + neutral hadrons; the rest are tracks); 0 switches the response off. */
  neutralFraction: number;
  /** Stochastic term of the calorimeter energy resolution [sqrt(GeV)]: sigma_E/E = s/sqrt(E) (+) c. */
  caloStochastic: number;
  /** Constant term of the calorimeter energy resolution (effective: photons and neutral hadrons together). */
  caloConstant: number;
}

export interface SimulationConfig {
  /** Events to produce (after the trigger). */
  nEvents: number;
  /** Fraction of signal events (used when signalEvents is absent); default 0.1. */
  signalFraction?: number;
  /** Exact number of signal events (overrides signalFraction). */
  signalEvents?: number;
  /** [m_W', m_X, m_Y] in GeV: W' -> X(->qq) Y(->qq). */
  masses: [number, number, number];
  /** Seed: the same seed and configuration give identical events. */
  seed: number;
  /** Trigger: at least one anti-kt jet with pT above this [GeV] (LHCO: 1200). */
  triggerPt: number;
  /** Jet radius of the trigger jets (LHCO: anti-kt R = 1.0). */
  triggerR: number;
  /** Round pT, eta, phi to float32 as the published files do (they were float32 before pandas). */
  float32: boolean;
  shower: ShowerConfig;
  ue: UnderlyingEventConfig;
  background: BackgroundConfig;
  signal: SignalConfig;
  detector: DetectorConfig;
}

export const DEFAULT_SIMULATION: SimulationConfig = {
  nEvents: 1000,
  signalFraction: 0.1,
  masses: [3500, 500, 100],
  seed: 1,
  triggerPt: 1200,
  triggerR: 1.0,
  float32: true,
  shower: {
    ktCut: 1.0,
    lambdaQCD: 0.2,
    thetaMaxQCD: 1.0,
    hadronsPerParton: 6,
    hadronKt: 0.25,
    minParticlePt: 0.1,
    etaMax: 5.0,
  },
  ue: {
    meanParticles: 28,
    activitySpread: 0.45,
    centralFraction: 0.6,
    ptMedian: 1.2,
    ptLogSigma: 0.9,
    isrMean: 1.0,
    isrPtMin: 15,
  },
  background: {
    ptMin: 1120,
    ptPower: 6.5,
    pdfPower: 4,
    deltaYSigma: 1.2,
    boostSigma: 0.45,
    recoilPt: 100,
    gluonFraction: 0.4,
  },
  signal: {
    widthFraction: 0.03,
    rapiditySigma: 0.5,
    meanPt: 110,
    ueFactor: 0.6,
    showerAngleFactor: 1,
    daughterWidthFraction: 0.01,
    decayAngularCoefficient: 0,
    conserveResonanceMomentum: true,
  },
  detector: {
    neutralFraction: 0.35,
    caloStochastic: 1.5,
    caloConstant: 0.1,
  },
};

/** Fields to change from DEFAULT_SIMULATION; the physics groups may be given in part. */
export type SimulationOverrides = Partial<Omit<SimulationConfig, "shower" | "ue" | "background" | "signal" | "detector">> & {
  shower?: Partial<ShowerConfig>;
  ue?: Partial<UnderlyingEventConfig>;
  background?: Partial<BackgroundConfig>;
  signal?: Partial<SignalConfig>;
  detector?: Partial<DetectorConfig>;
};

/** DEFAULT_SIMULATION with the given fields replaced (nested groups merged one level deep). */
export function simulationConfig(over: SimulationOverrides = {}): SimulationConfig {
  const d = DEFAULT_SIMULATION;
  return {
    ...d,
    ...over,
    shower: { ...d.shower, ...over.shower },
    ue: { ...d.ue, ...over.ue },
    background: { ...d.background, ...over.background },
    signal: { ...d.signal, ...over.signal },
    detector: { ...d.detector, ...over.detector },
  };
}
