// A correct step-4 program: logistic regression by full-batch gradient descent.
const path = require("path");
const [inp, out] = process.argv.slice(2);
const X = readNpy(path.join(inp, "features.npy"));
const Y = readNpy(path.join(inp, "labels.npy"));
const [n, f] = X.shape;
const cols = [];
for (let j = 0; j < f; j++) {
  const vals = [];
  for (let i = 0; i < n; i++) if (!isNaN(X.data[i * f + j])) vals.push(X.data[i * f + j]);
  const mu = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
  const sd = vals.length ? Math.sqrt(vals.reduce((a, b) => a + (b - mu) ** 2, 0) / vals.length) : 0;
  cols.push(Array.from({ length: n }, (_, i) => (sd > 0 && !isNaN(X.data[i * f + j]) ? (X.data[i * f + j] - mu) / sd : 0)));
}
const rows = [];
for (let i = 0; i < n; i++) if (Y.data[i] === 0 || Y.data[i] === 1) rows.push(i);
const w = new Array(f).fill(0);
let b = 0;
const lin = (i) => cols.reduce((s, c, j) => s + w[j] * c[i], b);
const sig = (z) => 1 / (1 + Math.exp(-z));
for (let it = 0; it < LR_ITERATIONS; it++) {
  const r = rows.map((i) => sig(lin(i)) - Y.data[i]);
  for (let j = 0; j < f; j++) w[j] -= (LR_RATE * rows.reduce((s, i, t) => s + r[t] * cols[j][i], 0)) / rows.length;
  b -= (LR_RATE * r.reduce((s, v) => s + v, 0)) / rows.length;
}
writeNpy(path.join(out, "scores.npy"), "<f8", [n], Array.from({ length: n }, (_, i) => sig(lin(i))));
console.log("scored", n, "events");
