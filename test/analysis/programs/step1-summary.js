// A correct step-1 program: walks the HDF5 file with h5wasm (Blosc plugin registered).
const path = require("path");
const fs = require("fs");
async function main() {
  const [inp, out] = process.argv.slice(2);
  const h5wasm = await import("h5wasm/node");
  await h5wasm.ready;
  h5wasm.Module.insert_plugin_search_path(path.dirname(require.resolve("h5wasm-plugins/plugins/libH5Zblosc.so")), 0);
  const file = new h5wasm.File(path.join(inp, "events.h5"), "r");
  const datasets = [];
  const walk = (g, prefix) => {
    for (const k of g.keys()) {
      const item = g.get(k);
      if (item instanceof h5wasm.Dataset) datasets.push({ path: `${prefix}/${k}`, shape: item.shape });
      else walk(item, `${prefix}/${k}`);
    }
  };
  walk(file, "");
  datasets.sort((a, b) => (a.path < b.path ? -1 : 1));
  const ds = file.get("df/block0_values");
  const [n, nc] = ds.shape;
  let sig = 0, bkg = 0, maxp = 0, sum = 0;
  for (let a = 0; a < n; a += 100) {
    const stop = Math.min(n, a + 100);
    const v = ds.slice([[a, stop], []]);
    for (let r = 0; r < stop - a; r++) {
      let cnt = 0;
      for (let k = 0; k < 700; k++) if (v[r * nc + 3 * k] > 0) cnt++;
      maxp = Math.max(maxp, cnt);
      sum += cnt;
      if (nc === 2101) (v[r * nc + 2100] === 1 ? sig++ : bkg++);
    }
  }
  const summary = { datasets, n_events: n, n_columns: nc, n_signal: nc === 2101 ? sig : null, n_background: nc === 2101 ? bkg : null, max_particles: maxp, mean_particles: sum / n };
  fs.writeFileSync(path.join(out, "summary.json"), JSON.stringify(summary));
}
main().catch((e) => { console.error(e); process.exit(1); });
