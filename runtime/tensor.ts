// Element types and tensor views shared by the runtime, its kernels and the compiler's
// constant folder. A view is a typed array plus a static shape; it never owns an arena.

import type { PackedWeight } from './sparse/packed.js';

// float16 is stored as its IEEE binary16 bit patterns in a Uint16Array (float16.ts converts);
// uint64 as BigUint64Array.
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint16' | 'bool'
  | 'float16' | 'uint32' | 'uint64';

export type TypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

export interface TensorView {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Dense elements; for a packed sparse weight, an empty array (read `packed` instead). */
  readonly data: TypedArray;
  /** A packed sparse weight (see sparse/packed.ts); `shape` stays the logical dense shape. */
  readonly packed?: PackedWeight;
}

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, uint16: 2, bool: 1, float16: 2, uint32: 4, uint64: 8,
};

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a zeroed typed array of `length` elements of `dtype`. */
export function allocArray(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(length);
    case 'float64': return new Float64Array(length);
    case 'int64': return new BigInt64Array(length);
    case 'int32': return new Int32Array(length);
    case 'int16': return new Int16Array(length);
    case 'int8': return new Int8Array(length);
    case 'uint8': case 'bool': return new Uint8Array(length);
    case 'uint16': case 'float16': return new Uint16Array(length);
    case 'uint32': return new Uint32Array(length);
    case 'uint64': return new BigUint64Array(length);
  }
}

/** A typed-array view of `length` elements of `dtype` over `buffer` at `byteOffset` (must be aligned). */
export function viewArray(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, byteOffset, length);
    case 'float64': return new Float64Array(buffer, byteOffset, length);
    case 'int64': return new BigInt64Array(buffer, byteOffset, length);
    case 'int32': return new Int32Array(buffer, byteOffset, length);
    case 'int16': return new Int16Array(buffer, byteOffset, length);
    case 'int8': return new Int8Array(buffer, byteOffset, length);
    case 'uint8': case 'bool': return new Uint8Array(buffer, byteOffset, length);
    case 'uint16': case 'float16': return new Uint16Array(buffer, byteOffset, length);
    case 'uint32': return new Uint32Array(buffer, byteOffset, length);
    case 'uint64': return new BigUint64Array(buffer, byteOffset, length);
  }
}

/**
 * The dtype a typed array naturally holds (bool is indistinguishable from uint8 and reported as
 * uint8, float16 bit patterns from uint16 and reported as uint16).
 */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigUint64Array) return 'uint64';
  return 'uint8';
}

/** The dtype of the typed array that stores `dtype` (what dtypeOfArray reports for its data). */
export function storageDType(dtype: DType): DType {
  return dtype === 'bool' ? 'uint8' : dtype === 'float16' ? 'uint16' : dtype;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
