// IEEE 754 binary16 (ONNX float16) to and from JavaScript numbers: the one conversion pair every
// float16 reader and writer uses (tensors hold float16 as bit patterns in a Uint16Array).
// Narrowing rounds to nearest, ties to even, with subnormals, ±Inf on overflow, NaN kept NaN.

const TWO_M24 = 2 ** -24; // the smallest subnormal, and the subnormals' spacing
const TWO_M14 = 2 ** -14; // the smallest normal
const OVERFLOW = 65520; // halfway between 65504 (the largest finite) and 65536: ties go to even, i.e. Inf

/** Rounds a non-negative double to an integer, ties to even (q is small enough that q − ⌊q⌋ is exact). */
function roundEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** The binary16 bit pattern nearest to `x` (a float32 or a double: rounded once, from its exact value). */
export function toFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= OVERFLOW) return sign | 0x7c00;
  // Subnormal range: a multiple of 2^-24; a round up to 1024 · 2^-24 is the smallest normal's pattern.
  if (a < TWO_M14) return sign | roundEven(a / TWO_M24);
  let e = Math.floor(Math.log2(a));
  // log2 may be off by one next to a power of two.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = roundEven(a / 2 ** (e - 10)); // in [1024, 2048]
  if (m === 2048) { m = 1024; e++; }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | (m - 1024);
}

/** The value of a binary16 bit pattern (exact: every float16 is a float32 and a double). */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * TWO_M24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** float16 bit patterns widened to float32 (for kernels that compute in float32). */
export function float16ToFloat32Array(bits: Uint16Array, out: Float32Array = new Float32Array(bits.length)): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = fromFloat16Bits(bits[i]!);
  return out;
}
