// A correct step-5 program: m_jj categories and per-category significances.
const path = require("path");
const [inp, out] = process.argv.slice(2);
const X = readNpy(path.join(inp, "features.npy"));
const Y = readNpy(path.join(inp, "labels.npy"));
const S = readNpy(path.join(inp, "scores.npy"));
const [n, f] = X.shape;
const edges = [0, 2800, 3300, 3700, 4500, Infinity];
const cat = [];
const rows = edges.slice(1).map(() => [0, 0, 0]);
for (let i = 0; i < n; i++) {
  const m = X.data[i * f + 10];
  let k = -1;
  if (!isNaN(m)) for (let e = 0; e < edges.length - 1; e++) if (m >= edges[e] && m < edges[e + 1]) k = e;
  cat.push(k);
  if (k < 0) continue;
  rows[k][0]++;
  if (S.data[i] > 0.5 && Y.data[i] === 1) rows[k][1]++;
  if (S.data[i] > 0.5 && Y.data[i] === 0) rows[k][2]++;
}
const table = [];
for (const [nk, s, b] of rows) {
  table.push(nk, s, b, b > 0 ? s / Math.sqrt(b) : NaN, b > 0 ? Math.sqrt(2 * ((s + b) * Math.log(1 + s / b) - s)) : NaN);
}
writeNpy(path.join(out, "categories.npy"), "<i8", [n], cat);
writeNpy(path.join(out, "significance.npy"), "<f8", [edges.length - 1, 5], table);
