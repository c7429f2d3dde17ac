/**
 * Jets: FastJet-exact generalised-kt clustering (anti-kt, kt, Cambridge/Aachen; E-scheme),
 * N-subjettiness and the per-event JSONL record. Clustering and the N-subjettiness axes run in
 * native code when the addon is built (native-tiled.ts, native-kt-axes.ts), else in JS: same jets.
 */
export type { Algorithm } from "./genkt";
export { GenKtClusterer, KT_EXPONENT, MAX_ALLOWABLE_R } from "./genkt";
export { TiledGenKtClusterer } from "./tiled";
export { NativeTiledGenKtClusterer, nativeClusterer, nativeClusterUnavailable } from "./native-tiled";
export { ClusterSequence } from "./sequence";
export type { JetDefinition, Jet } from "./cluster";
export { clusterJets, clusterFourMomenta, makeJet, nativeClusteringInUse, useNativeClustering } from "./cluster";
export type { FourMomenta } from "./pseudojet";
export { fourMomenta, rapidityOf, pseudorapidityOf, phiStd, phi02pi, massOf, deltaR2 } from "./pseudojet";
export type { NsubjettinessOptions } from "./nsubjettiness";
export { nsubjettiness, DEFAULT_NSUBJETTINESS, useNativeNsubjettiness } from "./nsubjettiness";
export type { FeatureOptions } from "./features";
export { DEFAULT_FEATURES, eventRecord, eventType, dijetMass, jetDeltaR } from "./features";
export type { EventRecord, JetRecord, EventType } from "./record";
