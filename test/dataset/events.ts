/** Small synthetic LHCO files for the prepare tests (independent of the simulator). */
import type { Event } from "../../lib/events/event";
import { writeLHCO } from "../../lib/events";
import { h5wasm } from "../../lib/events/hdf5";
import { Rng } from "../../lib/util/rng";

/** n events: two collimated sprays of particles (jets) plus soft noise; labels 0/1 at random. */
export function syntheticEvents(n: number, seed: number): Event[] {
  const rng = new Rng(seed);
  const out: Event[] = [];
  for (let id = 0; id < n; id++) {
    const pt: number[] = [];
    const eta: number[] = [];
    const phi: number[] = [];
    const phi0 = rng.range(-Math.PI, Math.PI);
    const axes = [
      [rng.range(-2, 2), phi0],
      [rng.range(-2, 2), phi0 + Math.PI],
    ];
    for (const [ea, pa] of axes) {
      const m = 5 + rng.int(25);
      for (let i = 0; i < m; i++) {
        pt.push(rng.exponential(40) + 0.5);
        eta.push(ea + 0.3 * rng.normal());
        phi.push(wrap(pa + 0.3 * rng.normal()));
      }
    }
    const soft = rng.int(40);
    for (let i = 0; i < soft; i++) {
      pt.push(rng.exponential(1.5) + 0.1);
      eta.push(rng.range(-4, 4));
      phi.push(rng.range(-Math.PI, Math.PI));
    }
    out.push({ id, label: rng.uniform() < 0.3 ? 1 : 0, pt: Float64Array.from(pt), eta: Float64Array.from(eta), phi: Float64Array.from(phi) });
  }
  return out;
}

function wrap(p: number): number {
  return Math.atan2(Math.sin(p), Math.cos(p));
}

/** Writes events in LHCO layout. */
export async function writeEvents(file: string, events: Event[], withLabels = true): Promise<void> {
  await writeLHCO(file, events, { withLabels });
}

/** An uncompressed LHCO-shaped file whose row `badRow` has a NaN pT (a damaged file). */
export async function writeDamaged(file: string, events: Event[], badRow: number): Promise<void> {
  const h5 = await h5wasm();
  const nCol = 2101;
  const data = new Float64Array(events.length * nCol);
  events.forEach((e, r) => {
    for (let i = 0; i < e.pt.length; i++) {
      data[r * nCol + 3 * i] = e.pt[i];
      data[r * nCol + 3 * i + 1] = e.eta[i];
      data[r * nCol + 3 * i + 2] = e.phi[i];
    }
    data[r * nCol + nCol - 1] = e.label ?? 0;
  });
  data[badRow * nCol] = NaN;
  const f = new h5.File(file, "w");
  try {
    f.create_group("df").create_dataset({ name: "block0_values", data, shape: [events.length, nCol], dtype: "<d" });
  } finally {
    f.close();
  }
}
