/**
 * Jets: FastJet-exact generalised-kt clustering (anti-kt, kt, Cambridge/Aachen; E-scheme),
 * N-subjettiness and the per-event JSONL record.
 */
export type { Algorithm } from "./genkt";
export { GenKtClusterer, KT_EXPONENT, MAX_ALLOWABLE_R } from "./genkt";
export { TiledGenKtClusterer } from "./tiled";
export { ClusterSequence } from "./sequence";
export type { JetDefinition, Jet } from "./cluster";
export { clusterJets, clusterFourMomenta, makeJet } from "./cluster";
export type { FourMomenta } from "./pseudojet";
export { fourMomenta, rapidityOf, pseudorapidityOf, phiStd, phi02pi, massOf, deltaR2 } from "./pseudojet";
export type { NsubjettinessOptions } from "./nsubjettiness";
export { nsubjettiness, DEFAULT_NSUBJETTINESS } from "./nsubjettiness";
export type { FeatureOptions } from "./features";
export { DEFAULT_FEATURES, eventRecord, eventType, dijetMass, jetDeltaR } from "./features";
export type { EventRecord, JetRecord, EventType } from "./record";
