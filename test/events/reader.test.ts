import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LHCOFormatError, openLHCO, writeLHCO } from "../../lib/events";
import { sharedFile, skipUnlessPython, skipUnlessShared } from "../support/shared";
import { python, row, tempDir, writeRawValues } from "./lhco-files";

const TINY = "fixtures/lhco/events_anomalydetection_tiny.h5";
const skipTiny = skipUnlessShared(TINY);

test("the real tiny R&D file reads as 1000 events, 93 signal", { skip: skipTiny }, async () => {
  const f = await openLHCO(sharedFile(TINY)!);
  try {
    assert.deepEqual(f.info, { path: sharedFile(TINY), nEvents: 1000, nColumns: 2101, hasLabels: true });
    let n = 0;
    let signal = 0;
    let minN = Infinity;
    let maxN = 0;
    for (const chunk of f.chunks({ chunkSize: 300 })) {
      for (const ev of chunk) {
        assert.equal(ev.id, n++);
        if (ev.label === 1) signal++;
        minN = Math.min(minN, ev.pt.length);
        maxN = Math.max(maxN, ev.pt.length);
      }
    }
    assert.equal(n, 1000);
    assert.equal(signal, 93);
    // Published multiplicity range of this file.
    assert.equal(minN, 47);
    assert.equal(maxN, 482);
  } finally {
    f.close();
  }
});

test("particle counts and values match pandas on a few rows", { skip: skipTiny || skipUnlessPython("tables", "python3-tables") }, async () => {
  const rows = [0, 1, 17, 500, 999];
  const ref = python(`
import json, pandas as pd
v = pd.read_hdf(${JSON.stringify(sharedFile(TINY))}, "df").values
out = []
for r in ${JSON.stringify(rows)}:
    pt = v[r, 0:2100:3]
    nz = [i for i in range(700) if pt[i] != 0]
    out.append({"n": len(nz), "first": list(v[r, 0:3]), "last": list(v[r, 3*nz[-1]:3*nz[-1]+3]), "label": v[r, 2100]})
print(json.dumps(out))
`) as { n: number; first: number[]; last: number[]; label: number }[];
  const f = await openLHCO(sharedFile(TINY)!);
  try {
    rows.forEach((r, k) => {
      const [ev] = f.read(r, r + 1);
      const n = ev.pt.length;
      assert.equal(n, ref[k].n, `row ${r} count`);
      assert.deepEqual([ev.pt[0], ev.eta[0], ev.phi[0]], ref[k].first);
      assert.deepEqual([ev.pt[n - 1], ev.eta[n - 1], ev.phi[n - 1]], ref[k].last);
      assert.equal(ev.label, ref[k].label);
    });
  } finally {
    f.close();
  }
});

test("start/stop ranges stream exactly the requested rows", { skip: skipTiny }, async () => {
  const f = await openLHCO(sharedFile(TINY)!);
  try {
    const all = f.read(0, 1000);
    const chunks = [...f.chunks({ start: 100, stop: 350, chunkSize: 100 })];
    assert.deepEqual(chunks.map((c) => c.length), [100, 100, 50]);
    const flat = chunks.flat();
    assert.deepEqual(flat.map((e) => e.id), Array.from({ length: 250 }, (_, i) => 100 + i));
    for (const ev of flat) assert.deepEqual(ev, all[ev.id]);
    assert.deepEqual(f.read(5, 5), []);
    assert.deepEqual([...f.chunks({ start: 998 })].flat().map((e) => e.id), [998, 999]);
    assert.throws(() => f.read(990, 1001), /row range \[990, 1001\) is outside \[0, 1000\)/);
    assert.throws(() => f.read(-1, 3), RangeError);
  } finally {
    f.close();
  }
});

test("black-box layout reads unlabelled, and a master key labels it", async () => {
  const dir = tempDir();
  try {
    const events = [
      { id: 0, label: 1 as const, pt: new Float64Array([10, 5]), eta: new Float64Array([0.5, -1]), phi: new Float64Array([1, -2]) },
      { id: 1, label: 0 as const, pt: new Float64Array([7]), eta: new Float64Array([2]), phi: new Float64Array([3]) },
      { id: 2, label: 1 as const, pt: new Float64Array([1, 2, 3]), eta: new Float64Array([0, 0, 0]), phi: new Float64Array([0, 1, 2]) },
    ];
    const file = path.join(dir, "bb.h5");
    await writeLHCO(file, events, { withLabels: false });
    const f = await openLHCO(file);
    assert.deepEqual(f.info, { path: file, nEvents: 3, nColumns: 2100, hasLabels: false });
    assert.deepEqual(f.read(0, 3).map((e) => e.label), [null, null, null]);
    assert.deepEqual([...f.read(2, 3)[0].pt], [1, 2, 3]);
    f.close();
    const key = path.join(dir, "key.txt");
    fs.writeFileSync(key, "1\n0\n1.0\n\n");
    const g = await openLHCO(file, { masterkey: key });
    assert.equal(g.info.hasLabels, true);
    assert.deepEqual(g.read(0, 3).map((e) => e.label), [1, 0, 1]);
    g.close();
    fs.writeFileSync(key, "1\n0\n");
    await assert.rejects(openLHCO(file, { masterkey: key }), new RegExp(`${key}: master key has 2 labels but ${file} has 3 events`));
    fs.writeFileSync(key, "1\n2\n0\n");
    await assert.rejects(openLHCO(file, { masterkey: key }), new RegExp(`${key}: line 2: master-key label must be 0 or 1`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a file of the wrong shape is rejected naming the file", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "shape.h5");
    await writeRawValues(file, new Float64Array(3 * 2000), [3, 2000]);
    await assert.rejects(openLHCO(file), (e: Error) => e instanceof LHCOFormatError && e.message.includes(file) && /2000 columns, expected 2101/.test(e.message));
    const other = path.join(dir, "key.h5");
    await writeRawValues(other, new Float64Array(2101), [1, 2101], "data/values");
    await assert.rejects(openLHCO(other), new RegExp(`${other}: no dataset /df/block0_values`));
    await assert.rejects(openLHCO(path.join(dir, "missing.h5")), /missing\.h5: no such file/);
    const text = path.join(dir, "text.h5");
    fs.writeFileSync(text, "id,pt,eta,phi\n0,1,2,3\n");
    await assert.rejects(openLHCO(text), new RegExp(`${text}: not an HDF5 file`));
    await assert.rejects(openLHCO(dir), (e: Error) => e instanceof LHCOFormatError && e.message.startsWith(`${dir}: cannot read`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("NaN, infinite and negative values are reported by file, row and column", async () => {
  const dir = tempDir();
  try {
    const good = row([[10, 0.1, 0.2], [5, -1, 2]], 0);
    const cases: [string, number, RegExp][] = [
      ["nan", NaN, /row 2: column 4 \(eta of particle 1\): value NaN is not finite/],
      ["inf", Infinity, /row 2: column 4 \(eta of particle 1\): value Infinity is not finite/],
    ];
    for (const [name, bad, re] of cases) {
      const file = path.join(dir, `${name}.h5`);
      const v = new Float64Array(4 * 2101);
      for (let r = 0; r < 4; r++) v.set(good, r * 2101);
      v[2 * 2101 + 4] = bad;
      await writeRawValues(file, v, [4, 2101]);
      const f = await openLHCO(file);
      assert.deepEqual(f.read(0, 2).length, 2);
      assert.throws(() => f.read(0, 4), (e: Error) => e instanceof LHCOFormatError && e.message.startsWith(`${file}: `) && re.test(e.message));
      f.close();
    }
    const file = path.join(dir, "neg.h5");
    const v = new Float64Array(2 * 2101);
    v.set(good);
    v.set(row([[10, 0.1, 0.2], [-5, -1, 2]], 1), 2101);
    await writeRawValues(file, v, [2, 2101]);
    const f = await openLHCO(file);
    assert.throws(() => f.read(0, 2), (e: Error) => e instanceof LHCOFormatError && e.message === `${file}: row 1: column 3 (pT of particle 1): negative pT -5`);
    f.close();
    const lab = path.join(dir, "label.h5");
    await writeRawValues(lab, row([[1, 0, 0]], 0.5), [1, 2101]);
    const g = await openLHCO(lab);
    assert.throws(() => g.read(0, 1), /row 0: column 2100 \(label\): label must be 0 or 1, got 0.5/);
    g.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a truncated file gives an error naming the file", async () => {
  const dir = tempDir();
  try {
    const events = Array.from({ length: 300 }, (_, id) => ({
      id,
      label: (id % 2) as 0 | 1,
      pt: Float64Array.from({ length: 100 }, (_, i) => 1 + ((i * 7919 + id * 104729) % 997) / 7),
      eta: Float64Array.from({ length: 100 }, (_, i) => Math.sin(i + id)),
      phi: Float64Array.from({ length: 100 }, (_, i) => Math.cos(3 * i + id)),
    }));
    const file = path.join(dir, "full.h5");
    await writeLHCO(file, events, { withLabels: true });
    const cut = path.join(dir, "cut.h5");
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    let err: unknown;
    try {
      const f = await openLHCO(cut);
      try {
        for (const _ of f.chunks({ chunkSize: 50 })) void _;
      } finally {
        f.close();
      }
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof LHCOFormatError, `expected an LHCOFormatError, got ${String(err)}`);
    assert.ok((err as Error).message.startsWith(`${cut}: `), (err as Error).message);
    assert.match((err as Error).message, /truncated or corrupt/);
    // A file cut inside its data (superblock intact, EOF unchanged in the header) fails on reading.
    const mid = path.join(dir, "mid.h5");
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0xff, 4096, bytes.length - 4096);
    fs.writeFileSync(mid, zeroed);
    await assert.rejects(async () => {
      const f = await openLHCO(mid);
      try {
        for (const _ of f.chunks({ chunkSize: 50 })) void _;
      } finally {
        f.close();
      }
    }, (e: Error) => e instanceof LHCOFormatError && e.message.startsWith(`${mid}: `));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
