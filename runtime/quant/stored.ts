// Weights stored quantized (schema WeightQuantization): int8 / uint8 with float32 scales per
// output channel (or one per tensor) and optional zero points, or float16. The storage codec's
// other half: the loader dequantizes them once, so every float32 kernel reads them unchanged,
// while int8 kernels can read `values` and `scales` as stored. Browser-safe: no Node APIs.
//
//   dense:  values[i] is the weight's element i in its own layout; its channel is
//           ⌊i / inner⌋ mod shape[axis] (inner = product of the dims after axis)
//   packed: values[k] is the packing's value k (runtime/sparse/packed.ts); its channel is
//           its matrix row (the loader checks axis is the consumers' output axis)

import { fromFloat16Bits, toFloat16Bits } from '../float16.js';
import type { PackedWeight } from '../sparse/packed.js';

export type StoredQuantDType = 'int8' | 'uint8' | 'float16';

export interface StoredQuantization {
  readonly dtype: StoredQuantDType;
  /** Axis of the tensor's shape the scales run along, or -1 for one scale (float16: always -1). */
  readonly axis: number;
  /** One float32 scale per channel along `axis` (one when axis is -1); empty for float16. */
  readonly scales: Float32Array;
  /** One zero point per scale, of `dtype`; absent: all zero (symmetric). */
  readonly zeroPoints?: Int8Array | Uint8Array;
  /** The stored elements: the dense weight, or a packed weight's values. */
  readonly values: Int8Array | Uint8Array | Uint16Array;
}

/** Rounds half to even (as ONNX QuantizeLinear). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** Bytes per stored element. */
export const QUANT_DTYPE_BYTES: Readonly<Record<StoredQuantDType, number>> = { int8: 1, uint8: 1, float16: 2 };

/** Scales (and zero points) a quantization of a weight of `shape` along `axis` carries. */
export function scaleCount(dtype: StoredQuantDType, axis: number, shape: readonly number[]): number {
  if (dtype === 'float16') return 0;
  return axis < 0 ? 1 : shape[axis]!;
}

/** Calls `run(start, end, channel)` for consecutive value ranges sharing one channel. */
type Runs = (run: (start: number, end: number, channel: number) => void) => void;

function denseRuns(shape: readonly number[], axis: number, count: number): Runs {
  return (run) => {
    if (axis < 0) { run(0, count, 0); return; }
    let inner = 1;
    for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
    const dim = shape[axis]!;
    if (inner === 0 || dim === 0) return;
    for (let start = 0, b = 0; start < count; start += inner, b++) run(start, start + inner, b % dim);
  };
}

/** Matrix row of every stored value of a packing: rows of CSR and N:M, block rows of BSR split per row. */
function packedRuns(p: PackedWeight, axis: number): Runs {
  return (run) => {
    if (axis < 0) { run(0, p.values.length, 0); return; }
    switch (p.format) {
      case 'nm': {
        const perRow = (p.cols / p.m) * p.n;
        for (let r = 0; r < p.rows; r++) run(r * perRow, (r + 1) * perRow, r);
        return;
      }
      case 'csr':
        for (let r = 0; r < p.rows; r++) run(p.rowPtr[r]!, p.rowPtr[r + 1]!, r);
        return;
      case 'bsr':
        for (let R = 0; R < p.rows / p.br; R++) {
          for (let k = p.rowPtr[R]!; k < p.rowPtr[R + 1]!; k++) {
            for (let i = 0; i < p.br; i++) {
              const start = (k * p.br + i) * p.bc;
              run(start, start + p.bc, R * p.br + i);
            }
          }
        }
    }
  };
}

function dequantizeRuns(q: StoredQuantization, runs: Runs, out: Float32Array): Float32Array {
  const v = q.values;
  if (q.dtype === 'float16') {
    for (let i = 0; i < v.length; i++) out[i] = fromFloat16Bits(v[i]!);
    return out;
  }
  // (q − z)·s with s a float32: the double product is exact, so one rounding, as ONNX's DequantizeLinear.
  runs((start, end, c) => {
    const s = q.scales[c]!;
    const z = q.zeroPoints === undefined ? 0 : q.zeroPoints[c]!;
    for (let i = start; i < end; i++) out[i] = (v[i]! - z) * s;
  });
  return out;
}

/** The dense weight of `shape` a quantization stores, as float32. */
export function dequantizeDense(q: StoredQuantization, shape: readonly number[]): Float32Array {
  return dequantizeRuns(q, denseRuns(shape, q.axis, q.values.length), new Float32Array(q.values.length));
}

/** The float32 values of packing `p` (whose own `values` are ignored) that `q` stores. */
export function dequantizePacked(q: StoredQuantization, p: PackedWeight): Float32Array {
  return dequantizeRuns(q, packedRuns(p, q.axis), new Float32Array(q.values.length));
}

const CODE_RANGE: Readonly<Record<'int8' | 'uint8', readonly [number, number]>> = { int8: [-128, 127], uint8: [0, 255] };

function quantizeRuns(spec: Omit<StoredQuantization, 'values'>, runs: Runs, x: Float32Array): StoredQuantization {
  if (spec.dtype === 'float16') return { ...spec, values: Uint16Array.from(x, toFloat16Bits) };
  const values = spec.dtype === 'int8' ? new Int8Array(x.length) : new Uint8Array(x.length);
  const [lo, hi] = CODE_RANGE[spec.dtype];
  runs((start, end, c) => {
    const s = spec.scales[c]!;
    const z = spec.zeroPoints === undefined ? 0 : spec.zeroPoints[c]!;
    for (let i = start; i < end; i++) values[i] = Math.max(lo, Math.min(hi, roundHalfEven(x[i]! / s) + z));
  });
  return { ...spec, values };
}

/**
 * The codes of the dense float32 weight `data` of `shape` at `spec`'s scales: the inverse of
 * dequantizeDense for data already on the grid (what the compiler stores).
 */
export function quantizeDense(spec: Omit<StoredQuantization, 'values'>, shape: readonly number[], data: Float32Array): StoredQuantization {
  return quantizeRuns(spec, denseRuns(shape, spec.axis, data.length), data);
}

/** The codes of packing `p`'s float32 values at `spec`'s scales (per matrix row): the inverse of dequantizePacked on the grid. */
export function quantizePacked(spec: Omit<StoredQuantization, 'values'>, p: PackedWeight): StoredQuantization {
  return quantizeRuns(spec, packedRuns(p, spec.axis), p.values);
}
