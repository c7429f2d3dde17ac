import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Event, openLHCO, writeLHCO } from "../../lib/events";
import { h5wasm } from "../../lib/events/hdf5";
import { skipUnlessPython } from "../support/shared";
import { python, tempDir } from "./lhco-files";

/** Events with awkward values: 700 particles, a single particle, full-precision doubles. */
function sampleEvents(): Event[] {
  const mk = (id: number, n: number, label: 0 | 1): Event => ({
    id,
    label,
    pt: Float64Array.from({ length: n }, (_, i) => 0.1 + Math.PI * (i + 1) * (id + 1)),
    eta: Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + id) * 4.9),
    phi: Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3 + id) * Math.PI),
  });
  return [mk(0, 700, 1), mk(1, 1, 0), mk(2, 170, 0), ...Array.from({ length: 1100 }, (_, k) => mk(3 + k, 20 + (k % 50), (k % 3 === 0 ? 1 : 0) as 0 | 1))];
}

test("write then read returns the same events (several append batches)", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "sub", "rt.h5");
    const events = sampleEvents();
    assert.deepEqual(await writeLHCO(file, events, { withLabels: true }), { nEvents: events.length });
    const f = await openLHCO(file);
    assert.deepEqual(f.info, { path: file, nEvents: events.length, nColumns: 2101, hasLabels: true });
    const back = [...f.chunks({ chunkSize: 333 })].flat();
    // One read over more than one internal 1000-row block.
    assert.deepEqual(f.read(0, events.length), back);
    f.close();
    assert.equal(back.length, events.length);
    back.forEach((ev, i) => assert.deepEqual(ev, { ...events[i], id: i }));
    // Values are Blosc-compressed (HDF5 filter 32001) like the published files.
    const h5 = await h5wasm();
    const raw = new h5.File(file, "r");
    const ds = raw.get("df/block0_values") as InstanceType<typeof h5.Dataset>;
    assert.equal(ds.filters[0].id, 32001);
    raw.close();
    // No temporary file left beside the output.
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["rt.h5"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a failing event source leaves neither output nor temporary file", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "bad.h5");
    const events = sampleEvents().slice(0, 5);
    events[3] = { ...events[3], pt: new Float64Array([1, -2]), eta: new Float64Array(2), phi: new Float64Array(2) };
    await assert.rejects(writeLHCO(file, events, { withLabels: true }), /bad\.h5: event 3 \(row 3\) particle 1: pT must be > 0/);
    const tooMany = { id: 9, label: 0 as const, pt: new Float64Array(701).fill(1), eta: new Float64Array(701), phi: new Float64Array(701) };
    await assert.rejects(writeLHCO(file, [tooMany], { withLabels: true }), /701 particles, the LHCO layout holds 700/);
    await assert.rejects(writeLHCO(file, [{ ...tooMany, pt: new Float64Array([1]), eta: new Float64Array(1), phi: new Float64Array(1), label: null }], { withLabels: true }), /no 0\/1 label/);
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("pandas.read_hdf reads written files, with and without labels", { skip: skipUnlessPython("tables", "python3-tables") }, async () => {
  const dir = tempDir();
  try {
    const events = sampleEvents();
    const labelled = path.join(dir, "l.h5");
    const blackbox = path.join(dir, "bb.h5");
    await writeLHCO(labelled, events, { withLabels: true });
    await writeLHCO(blackbox, events, { withLabels: false });
    const ref = python(`
import json, pandas as pd
out = []
for p in ${JSON.stringify([labelled, blackbox])}:
    d = pd.read_hdf(p, "df")
    v = d.values
    out.append({"shape": list(d.shape), "cols": [int(d.columns[0]), int(d.columns[-1])], "rows": [int(d.index[0]), int(d.index[-1])],
                "labels": float(v[:, 2100].sum()) if d.shape[1] == 2101 else None,
                "row2": list(v[2, :9]), "n0": int((v[0, 0:2100:3] > 0).sum()), "n1": int((v[1, 0:2100:3] > 0).sum())})
print(json.dumps(out))
`) as { shape: number[]; cols: number[]; rows: number[]; labels: number | null; row2: number[]; n0: number; n1: number }[];
    const nSignal = events.filter((e) => e.label === 1).length;
    for (const [k, nCol] of [[0, 2101], [1, 2100]]) {
      assert.deepEqual(ref[k].shape, [events.length, nCol]);
      assert.deepEqual(ref[k].cols, [0, nCol - 1]);
      assert.deepEqual(ref[k].rows, [0, events.length - 1]);
      assert.deepEqual([ref[k].n0, ref[k].n1], [700, 1]);
      const e = events[2];
      assert.deepEqual(ref[k].row2, [0, 1, 2].flatMap((i) => [e.pt[i], e.eta[i], e.phi[i]]));
    }
    assert.equal(ref[0].labels, nSignal);
    assert.equal(ref[1].labels, null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
