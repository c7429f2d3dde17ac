/**
 * Calibration of the simulator against real LHCO events: the two-sample Kolmogorov–Smirnov
 * distance between real and simulated distributions of the resonance-search observables,
 * background and signal apart. Jets: anti-kt R = 1.0, pT > 20 GeV (lib/jets eventRecord); j1, j2
 * are the two leading jets by pT; tau21 = tau2/tau1 (beta 1, exclusive-kt axes).
 */
import { Event } from "../events/event";
import { openLHCO } from "../events/reader";
import { eventRecord } from "../jets";
import { ksDistance, ksPValue } from "../stats/ks";

export const CALIBRATION_OBSERVABLES = ["m_jj", "m_j1", "m_j2", "tau21_j1", "tau21_j2", "n_particles"] as const;
export type CalibrationObservable = (typeof CALIBRATION_OBSERVABLES)[number];

/** Per-observable samples of one class; events lacking a second jet add nothing to *_j2 and m_jj. */
export type ObservableSamples = Record<CalibrationObservable, number[]>;

export interface KSEntry {
  /** KS distance real vs simulated, or null when either sample is empty. */
  d: number | null;
  /** Asymptotic p-value of d (null with d). */
  p: number | null;
  nReal: number;
  nSim: number;
}

export interface KSRow {
  observable: CalibrationObservable;
  background: KSEntry;
  signal: KSEntry;
}

export interface CalibrationTable {
  rows: KSRow[];
  /** Events read per class. */
  counts: { real: { background: number; signal: number }; sim: { background: number; signal: number } };
}

/** Background goal for every KS distance (issue 2). */
export const KS_TARGET = 0.15;

function emptySamples(): ObservableSamples {
  return { m_jj: [], m_j1: [], m_j2: [], tau21_j1: [], tau21_j2: [], n_particles: [] };
}

/** Observables of labelled events, split by label (unlabelled events are skipped). */
export function collectObservables(events: Iterable<Event>): { background: ObservableSamples; signal: ObservableSamples } {
  const out = { background: emptySamples(), signal: emptySamples() };
  for (const ev of events) {
    if (ev.label === null) continue;
    const s = ev.label === 1 ? out.signal : out.background;
    const rec = eventRecord(ev, { R: 1.0, ptmin: 20, maxJets: 2 });
    if (rec.n_particles !== undefined) s.n_particles.push(rec.n_particles); // always set by eventRecord
    const [j1, j2] = rec.jets;
    if (j1) {
      s.m_j1.push(j1.m);
      s.tau21_j1.push(j1.tau21);
    }
    if (j2) {
      s.m_j2.push(j2.m);
      s.tau21_j2.push(j2.tau21);
    }
    if (rec.M_jj !== undefined) s.m_jj.push(rec.M_jj);
  }
  return out;
}

function entry(real: number[], sim: number[]): KSEntry {
  if (real.length === 0 || sim.length === 0) return { d: null, p: null, nReal: real.length, nSim: sim.length };
  const d = ksDistance(real, sim);
  return { d, p: ksPValue(d, real.length, sim.length), nReal: real.length, nSim: sim.length };
}

/** The KS table of simulated against real events (both labelled). */
export function calibrationTable(real: Iterable<Event>, sim: Iterable<Event>): CalibrationTable {
  const r = collectObservables(real);
  const s = collectObservables(sim);
  return {
    rows: CALIBRATION_OBSERVABLES.map((o) => ({ observable: o, background: entry(r.background[o], s.background[o]), signal: entry(r.signal[o], s.signal[o]) })),
    counts: {
      real: { background: r.background.n_particles.length, signal: r.signal.n_particles.length },
      sim: { background: s.background.n_particles.length, signal: s.signal.n_particles.length },
    },
  };
}

/** The KS table of two labelled LHCO files, reading at most maxEvents of each (default all). */
export async function calibrateFiles(realPath: string, simPath: string, opts: { maxEvents?: number } = {}): Promise<CalibrationTable> {
  const real = await openLHCO(realPath);
  try {
    const sim = await openLHCO(simPath);
    try {
      for (const f of [real, sim]) {
        if (!f.info.hasLabels) throw new Error(`${f.info.path}: calibration needs labelled events (2101 columns)`);
      }
      const stop = (n: number): number => Math.min(n, opts.maxEvents ?? n);
      return calibrationTable(flatten(real.chunks({ stop: stop(real.info.nEvents) })), flatten(sim.chunks({ stop: stop(sim.info.nEvents) })));
    } finally {
      sim.close();
    }
  } finally {
    real.close(); // also when the simulated file cannot be opened
  }
}

function* flatten(chunks: Iterable<Event[]>): Generator<Event> {
  for (const c of chunks) for (const e of c) yield e;
}

/** The table as Markdown: KS distance (p-value) per class, background distances above KS_TARGET flagged. */
export function calibrationMarkdown(t: CalibrationTable): string {
  const cell = (e: KSEntry, flag: boolean): string =>
    e.d === null ? "n/a" : `${e.d.toFixed(3)}${flag && e.d > KS_TARGET ? " ⚠" : ""} (p=${e.p!.toPrecision(2)})`;
  const lines = [
    `| observable | KS background | KS signal |`,
    `| --- | --- | --- |`,
    ...t.rows.map((r) => `| ${r.observable} | ${cell(r.background, true)} | ${cell(r.signal, false)} |`),
    "",
    `Events: real ${t.counts.real.background} background / ${t.counts.real.signal} signal; ` +
      `simulated ${t.counts.sim.background} background / ${t.counts.sim.signal} signal. ⚠ marks background KS > ${KS_TARGET}.`,
  ];
  return lines.join("\n");
}
