// Shared by the scripted "coder" programs below (inlined into each program text by the tests):
// a minimal .npy reader and writer, written from the format description in the prompt.
function readNpy(file) {
  const buf = require("fs").readFileSync(file);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString("latin1", 10, 10 + hlen);
  const descr = /'descr': '([^']+)'/.exec(header)[1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(10 + hlen);
  const copy = new Uint8Array(body.length);
  copy.set(body);
  let data;
  if (descr === "<f8") data = new Float64Array(copy.buffer);
  else if (descr === "<i8") data = Array.from(new BigInt64Array(copy.buffer), Number);
  else throw new Error("dtype " + descr);
  return { shape, data };
}
function writeNpy(file, descr, shape, values) {
  const shp = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shp}, }`;
  const total = Math.ceil((10 + h.length + 1) / 64) * 64;
  h = h.padEnd(total - 11, " ") + "\n";
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(h.length, 8);
  const arr = descr === "<i8" ? BigInt64Array.from(values, (v) => BigInt(v)) : Float64Array.from(values);
  require("fs").writeFileSync(file, Buffer.concat([pre, Buffer.from(h, "latin1"), Buffer.from(arr.buffer)]));
}
