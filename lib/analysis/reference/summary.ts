/**
 * Reference solution of step 1: the summary of an LHCO HDF5 file (its datasets and shapes, event
 * and label counts, particle multiplicities), read through hepllm's own LHCO reader.
 */
import { openLHCO } from "../../events";
import { h5wasm, H5Group } from "../../events/hdf5";

export interface LHCOSummary {
  datasets: { path: string; shape: number[] }[];
  n_events: number;
  n_columns: number;
  n_signal: number | null;
  n_background: number | null;
  max_particles: number;
  mean_particles: number;
}

/** Summarises `file`; streams the events in chunks of `chunkSize` rows. */
export async function summariseLHCO(file: string, chunkSize = 1000): Promise<LHCOSummary> {
  const h5 = await h5wasm();
  const f = new h5.File(file, "r");
  const datasets: { path: string; shape: number[] }[] = [];
  try {
    const walk = (g: H5Group, prefix: string): void => {
      for (const key of g.keys()) {
        const item = g.get(key);
        if (item instanceof h5.Dataset) datasets.push({ path: `${prefix}/${key}`, shape: [...(item.shape ?? [])] });
        else if (item instanceof h5.Group) walk(item, `${prefix}/${key}`);
      }
    };
    walk(f, "");
  } finally {
    f.close();
  }
  datasets.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const lhco = await openLHCO(file);
  let nSignal = 0;
  let nBackground = 0;
  let maxParticles = 0;
  let sumParticles = 0;
  try {
    for (const chunk of lhco.chunks({ chunkSize })) {
      for (const ev of chunk) {
        if (ev.label === 1) nSignal++;
        else if (ev.label === 0) nBackground++;
        maxParticles = Math.max(maxParticles, ev.pt.length);
        sumParticles += ev.pt.length;
      }
    }
  } finally {
    lhco.close();
  }
  const { nEvents, nColumns, hasLabels } = lhco.info;
  return {
    datasets,
    n_events: nEvents,
    n_columns: nColumns,
    n_signal: hasLabels ? nSignal : null,
    n_background: hasLabels ? nBackground : null,
    max_particles: maxParticles,
    mean_particles: nEvents > 0 ? sumParticles / nEvents : 0,
  };
}
