/**
 * 16-bit floats held as Uint16Array bit patterns: IEEE half (F16) and bfloat16 (BF16, the top
 * half of a float32). Conversions to float32 are exact; from float32 they round to nearest even.
 */

/** A weight given as bfloat16 bit patterns (as a BF16 checkpoint stores it), not yet float32. */
export interface Bf16Bits {
  bf16: Uint16Array;
}

let f16Table: Float32Array | undefined;

/** The float32 value of every F16 bit pattern (built once: 256 KiB). */
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24; // subnormal
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  f16Table = t;
  return t;
}

/** F16 bits → float32 (into `out` when given). */
export function f16ToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const t = f16ToF32Table();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}

/** BF16 bits → float32 (into `out` when given). */
export function bf16ToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const u = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) u[i] = src[i] << 16;
  return out;
}

/** float32 → BF16 bits, rounding to nearest even (NaN stays NaN). */
export function f32ToBf16(src: Float32Array): Uint16Array {
  const u = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = u[i];
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = (x >>> 16) | 0x40; // quiet NaN
    else out[i] = ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → F16 bits, rounding to nearest even; overflow gives ±Infinity. */
export function f32ToF16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = oneF32ToF16(src[i]);
  return out;
}

function oneF32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    mant |= 0x800000; // make the implicit bit explicit, then shift into a subnormal
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}
