// Numbers in, numbers out, whatever a tensor's element type: the index and reduction kernels
// compute in doubles and read / store every numeric dtype and bool through these two helpers.

import type { DType, TensorView } from '../../tensor.js';
import { fromFloat16Bits, toFloat16Bits } from '../../float16.js';

/** The numeric dtypes spc represents (bool aside). */
export const NUMERIC_TYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16'];

/** Reads element `i` of any tensor as a double (int64 beyond 2^53 rounds; bool is 0 or 1). */
export function reader(v: TensorView): (i: number) => number {
  const d = v.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return (i) => Number(d[i]!);
  if (v.dtype === 'float16') return (i) => fromFloat16Bits(d[i] as number);
  return (i) => d[i] as number;
}

// int64's top is the largest double below 2^63.
const INT_RANGE: Partial<Readonly<Record<DType, readonly [number, number]>>> = {
  int64: [-(2 ** 63), 2 ** 63 - 1024], int32: [-(2 ** 31), 2 ** 31 - 1], int16: [-32768, 32767], int8: [-128, 127],
  uint8: [0, 255], uint16: [0, 65535], bool: [0, 1], uint32: [0, 2 ** 32 - 1], uint64: [0, 2 ** 64 - 2048],
};

/**
 * Stores a double into element `i`: floats as they are; integers truncated toward zero and
 * saturated to the type's range (an empty-set max is the type's lowest value, as onnxruntime
 * writes it), NaN as 0; bool as x ≠ 0.
 */
export function writer(v: TensorView): (i: number, x: number) => void {
  const d = v.data;
  if (v.dtype === 'float32' || v.dtype === 'float64') return (i, x) => { d[i] = x; };
  if (v.dtype === 'float16') return (i, x) => { d[i] = toFloat16Bits(x); };
  if (v.dtype === 'bool') return (i, x) => { d[i] = x !== 0 && !Number.isNaN(x) ? 1 : 0; };
  const [lo, hi] = INT_RANGE[v.dtype]!;
  const fit = (x: number): number => (Number.isNaN(x) ? 0 : Math.min(hi, Math.max(lo, Math.trunc(x))));
  if (d instanceof BigInt64Array) return (i, x) => { d[i] = BigInt.asIntN(64, BigInt(fit(x))); };
  if (d instanceof BigUint64Array) return (i, x) => { d[i] = BigInt(fit(x)); };
  return (i, x) => { d[i] = fit(x); };
}

/**
 * A number as an element of `dtype` stores it (a fill or pad value from an attribute): float16 as
 * its bit pattern, 64-bit integers as bigints (truncated), everything else as the number itself.
 */
export function storedScalar(dtype: DType, x: number): number | bigint {
  if (dtype === 'float16') return toFloat16Bits(x);
  if (dtype === 'int64' || dtype === 'uint64') return BigInt(Number.isFinite(x) ? Math.trunc(x) : 0);
  return x;
}
