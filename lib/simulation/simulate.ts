/**
 * `simulateEvents`: LHCO-like events, ids 0..n-1, each drawn with its own random stream derived
 * from (seed, id) so that the same seed gives identical events; signal events are placed at
 * random positions, exactly `signalEvents` (or round(n * signalFraction)) of them. Each event is
 * regenerated until it passes the trigger. `simulateToFile` streams them into an LHCO HDF5 file.
 */
import { Event } from "../events/event";
import { writeLHCO } from "../events/writer";
import { Progress } from "../util/progress";
import { Rng } from "../util/rng";
import { SimulationConfig, simulationConfig } from "./config";
import { ParticleList } from "./particles";
import { qcdDijet } from "./qcd";
import { underlyingEvent } from "./underlying";
import { detectorResponse } from "./detector";
import { wprimeSignal } from "./wprime";
import { passesTrigger } from "./trigger";

/** Give up on an event after this many trigger failures (a configuration that cannot trigger). */
const MAX_TRIES = 10000;

/** Number of signal events implied by the configuration, checked. */
export function signalCount(cfg: SimulationConfig): number {
  const n = cfg.nEvents;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`nEvents must be a non-negative integer, got ${n}`);
  if (cfg.signalEvents !== undefined) {
    if (!Number.isInteger(cfg.signalEvents) || cfg.signalEvents < 0 || cfg.signalEvents > n) {
      throw new RangeError(`signalEvents must be an integer in [0, ${n}], got ${cfg.signalEvents}`);
    }
    return cfg.signalEvents;
  }
  const f = cfg.signalFraction ?? 0.1;
  if (!(f >= 0 && f <= 1)) throw new RangeError(`signalFraction must be in [0, 1], got ${f}`);
  return Math.round(n * f);
}

function checkMasses(cfg: SimulationConfig): void {
  const [w, x, y] = cfg.masses;
  if (!(x > 0 && y > 0 && w > x + y)) throw new RangeError(`masses must satisfy m_W' > m_X + m_Y > 0, got ${cfg.masses.join(",")}`);
}

/** A 32-bit seed for event `id` of run `seed` (two rounds of an integer hash). */
export function eventSeed(seed: number, id: number): number {
  let h = Math.imul(seed ^ 0x5eed5eed, 0x9e3779b1) ^ Math.imul(id + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

/** One triggered event of the given label from its own random stream. */
export function simulateEvent(cfg: SimulationConfig, id: number, label: 0 | 1, list = new ParticleList()): Event {
  const rng = new Rng(eventSeed(cfg.seed, id));
  const s = cfg.shower;
  for (let t = 0; t < MAX_TRIES; t++) {
    list.clear();
    if (label === 1) wprimeSignal(cfg, rng, list);
    else qcdDijet(cfg, rng, list);
    underlyingEvent(cfg, rng, list, label === 1 ? cfg.signal.ueFactor : 1);
    if (cfg.detector.neutralFraction > 0) detectorResponse(list, cfg.detector, rng);
    const { pt, eta, phi } = list.toPtEtaPhi(s.minParticlePt, s.etaMax, cfg.float32);
    if (passesTrigger(pt, eta, phi, cfg.triggerR, cfg.triggerPt)) return { id, label, pt, eta, phi };
  }
  throw new Error(`simulate: event ${id} failed the ${cfg.triggerPt} GeV trigger ${MAX_TRIES} times; check masses and thresholds`);
}

/** The configured events in id order, labels 0/1. */
export function* simulateEvents(cfgIn: SimulationConfig): Generator<Event> {
  const cfg = simulationConfig(cfgIn);
  checkMasses(cfg);
  const n = cfg.nEvents;
  let signalLeft = signalCount(cfg);
  const labels = new Rng(cfg.seed);
  const list = new ParticleList();
  for (let id = 0; id < n; id++) {
    // Sequential sampling without replacement: exactly signalLeft of the remaining n - id.
    const label: 0 | 1 = labels.uniform() * (n - id) < signalLeft ? 1 : 0;
    signalLeft -= label;
    yield simulateEvent(cfg, id, label, list);
  }
}

/** Simulates into an LHCO HDF5 file (atomic), with progress on stderr. */
export async function simulateToFile(
  file: string,
  cfg: SimulationConfig,
  opts: { withLabels?: boolean; progress?: boolean } = {},
): Promise<{ nEvents: number; nSignal: number }> {
  const progress = opts.progress ? new Progress({ label: "simulate", total: cfg.nEvents, unit: "events" }) : undefined;
  let nSignal = 0;
  function* counted(): Generator<Event> {
    for (const ev of simulateEvents(cfg)) {
      if (ev.label === 1) nSignal++;
      progress?.tick(1);
      yield ev;
    }
  }
  const { nEvents } = await writeLHCO(file, counted(), { withLabels: opts.withLabels ?? true });
  progress?.finish(`${nSignal} signal`);
  return { nEvents, nSignal };
}
