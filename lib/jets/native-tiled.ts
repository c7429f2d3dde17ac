/**
 * Tiled generalised-kt clustering in native code (native/cluster.cc): tiled.ts's algorithm,
 * comparisons and tie rules line for line in C++, one call per event, writing the jets into this
 * sequence's arrays (sequence.ts), so everything read after clustering (beam jets, four-momenta,
 * constituents) is the same as from TiledGenKtClusterer. Inclusive clustering to completion only
 * (runUntil(0)); step-by-step use (exclusive jets) stays with the JS clusterers.
 *
 * Why: the JS port loses most of its ~170 us per LHCO event to JIT overhead around the tile scans;
 * in C++ the same work takes ~0.9x FastJet's time (issue 15, item 3; bench/README.md).
 * Available when the native addon is built (lib/util/native-addon.ts); `nativeClusterer()`
 * returns undefined otherwise and callers keep TiledGenKtClusterer (the portable path).
 */
import { nativeAddon, nativeAddonUnavailable } from "../util/native-addon";
import { FourMomenta } from "./pseudojet";
import { ClusterSequence } from "./sequence";

/** The addon export (native/cluster.cc documents it). */
interface ClusterAddon {
  clusterGenKt(f64: Float64Array, i32: Int32Array, cap: number, count: number, p: number, R: number, tileSlack: number): number;
}

/** Free entries per tile beyond its initial jets (as tiled.ts's TILE_SLACK). */
const TILE_SLACK = 4;

export class NativeTiledGenKtClusterer extends ClusterSequence {
  /** `tileSlack`: free entries per tile at the start (tests pass 0 to exercise re-packing). */
  constructor(private readonly addon: ClusterAddon, private readonly tileSlack: number = TILE_SLACK) {
    super();
  }

  private R = 1;

  init(fm: FourMomenta, count: number, p: number, R: number, idx?: ArrayLike<number>): void {
    this.growJets(count);
    this.startJets(fm, count, p, R, idx);
    this.R = R;
  }

  /** Clusters to completion; nStop > 0 (exclusive jets) is not offered natively. */
  override runUntil(nStop: number): void {
    if (nStop !== 0) throw new Error("NativeTiledGenKtClusterer: only inclusive clustering (runUntil(0)); use GenKtClusterer for exclusive jets");
    if (this.nLive === 0) return;
    const n = this.nParticles;
    this.nBeam = this.addon.clusterGenKt(this.f64, this.i32, this.cap, n, this.p, this.R, this.tileSlack);
    this.nJets = 2 * n - this.nBeam; // every merge makes one jet and removes two; every beam step removes one
    this.nHist = this.nJets + this.nBeam;
    this.nLive = 0;
  }

  /** Clusters to completion (not one step: the native call does the whole event). */
  step(): boolean {
    if (this.nLive === 0) return false;
    this.runUntil(0);
    return true;
  }

  liveJet(s: number): number {
    throw new RangeError(`NativeTiledGenKtClusterer: no live jet ${s}: it clusters to completion in one call`);
  }
}

/**
 * A native clusterer when the addon is built and has clustering (an addon built before
 * native/cluster.cc has not), else undefined; `nativeClusterUnavailable` then says why.
 */
export function nativeClusterer(tileSlack: number = TILE_SLACK): NativeTiledGenKtClusterer | undefined {
  const addon = nativeAddon<Partial<ClusterAddon>>();
  if (!addon || typeof addon.clusterGenKt !== "function") return undefined;
  return new NativeTiledGenKtClusterer(addon as ClusterAddon, tileSlack);
}

/** Why nativeClusterer() gives undefined (undefined while it gives a clusterer). */
export function nativeClusterUnavailable(): string | undefined {
  const addon = nativeAddon<Partial<ClusterAddon>>();
  if (!addon) return nativeAddonUnavailable();
  return typeof addon.clusterGenKt === "function" ? undefined : "the native addon predates native/cluster.cc (npm run build:native)";
}
