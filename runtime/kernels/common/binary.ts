// Broadcasting binary elementwise kernels (arithmetic, comparisons, logic, PRelu, Mod) and the
// variadic ones folded from them (Max, Min, Sum, Mean). Four element paths, picked at prepare
// time from the dtypes: plain numbers (float and small ints), bigint (int64, uint64), float16
// (computed in float32 and rounded to float16 on store, as onnxruntime does) and mixed (Pow with
// differing base/exponent types: read as numbers, convert on store).

import type { DType, TensorView } from '../../tensor.js';
import { shapeString } from '../../tensor.js';
import { fromFloat16Bits, toFloat16Bits } from '../../float16.js';
import type { Kernel } from '../kernel.js';
import { broadcastShape, broadcastStrides, RowWalker } from './broadcast.js';
import type { Cells, Checker } from './define.js';
import { defineKernel, idDType } from './define.js';

export interface BinaryFns {
  /** float32/float64 */
  readonly float: (a: number, b: number) => number;
  /** uint32, int32 and narrower integers (result is truncated into the integer array on store). */
  readonly int?: (a: number, b: number) => number;
  /** int64 and uint64 (the typed array wraps the result modulo 2^64 on store). */
  readonly int64?: (a: bigint, b: bigint) => bigint | number;
  /** Output dtype; defaults to the first input's. */
  readonly outDType?: DType;
  /** Whether the second input may have another dtype than the first (Pow). */
  readonly mixed?: boolean;
  /** The second input broadcasts to the first's shape, never the other way (PRelu's slope). */
  readonly unidirectional?: boolean;
}

/** The element functions, fixed or built from the node's attributes at prepare time (Mod's fmod). */
export type BinarySpec = BinaryFns | ((c: Checker) => BinaryFns);

export const NUMERIC_TYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16'];
/** NUMERIC_TYPES and the element types only some ops take (each op lists which it handles). */
export const WIDE_TYPES: readonly DType[] = [...NUMERIC_TYPES, 'float16', 'uint32', 'uint64'];
const INT_SMALL: readonly DType[] = ['uint32', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'bool'];
const BIG: readonly DType[] = ['int64', 'uint64'];

function toStored(out: DType, v: number): number | bigint {
  if (out === 'int64') return BigInt(Number.isFinite(v) ? Math.trunc(v) : 0);
  if (out === 'float32' || out === 'float64') return v;
  return Number.isFinite(v) ? Math.trunc(v) : 0;
}

export function binaryKernel(op: string, dtypes: readonly DType[], spec: BinarySpec): Kernel {
  return defineKernel({
    dtype: idDType(dtypes), tile: '1x1', op, target: 'ref', dtypes,
    prepare(c: Checker) {
      const fns = typeof spec === 'function' ? spec(c) : spec;
      const a = c.input(0, dtypes);
      const b = c.input(1, fns.mixed ? NUMERIC_TYPES : dtypes);
      if (!fns.mixed) c.sameDType(a, b, 'input 1');
      const y = c.output(0, [fns.outDType ?? a.dtype]);
      if (fns.unidirectional) c.shapeIs(y, a.shape, 'output');
      return binaryRun(c, a, b, y, fns);
    },
  });
}

const TAKE_SECOND: BinaryFns = { float: (_, b) => b, int: (_, b) => b, int64: (_, b) => b };

/**
 * A variadic op (1 or more inputs, one dtype, multidirectional broadcast): the first input is
 * broadcast into the output, then each further one is folded in with `fns` (in place: output
 * element i only reads element i). `finish` rescales the result of float inputs (Mean).
 */
export function variadicKernel(op: string, dtypes: readonly DType[], fns: BinaryFns, finish?: (acc: number, count: number) => number): Kernel {
  return defineKernel({
    dtype: idDType(dtypes), tile: '1x1', op, target: 'ref', dtypes,
    prepare(c: Checker) {
      const count = c.ctx.inputs.length;
      if (count === 0) c.fail('needs at least one input');
      const xs = Array.from({ length: count }, (_, i) => c.input(i, dtypes));
      xs.forEach((x, i) => c.sameDType(xs[0]!, x, `input ${i}`));
      const y = c.output(0, [xs[0]!.dtype]);
      const shape = broadcastShape(xs.map((x) => x.shape));
      if (shape === undefined) c.fail(`input shapes ${xs.map((x) => shapeString(x.shape)).join(', ')} do not broadcast`);
      c.shapeIs(y, shape, 'output');
      const steps = xs.map((x, i) => binaryRun(c, y, x, y, i === 0 ? TAKE_SECOND : fns));
      const yd = y.data as Float32Array;
      const n = shape.reduce((p, d) => p * d, 1);
      return () => {
        for (const step of steps) step();
        if (finish !== undefined) for (let i = 0; i < n; i++) yd[i] = finish(yd[i]!, count);
      };
    },
  });
}

function binaryRun(c: Checker, a: TensorView, b: TensorView, y: TensorView, fns: BinaryFns): () => void {
  const shape = broadcastShape([a.shape, b.shape]);
  if (shape === undefined) c.fail(`shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] do not broadcast`);
  c.shapeIs(y, shape, 'output');
  const n = shape.reduce((p, d) => p * d, 1);
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  const walker = new RowWalker(shape, [broadcastStrides(a.shape, shape)!, broadcastStrides(b.shape, shape)!]);
  const { inner, innerStride0: sa, innerStride1: sb } = walker;
  const yd = y.data as Cells;

  const big = a.dtype === b.dtype && BIG.includes(a.dtype);
  if (big) {
    const f = fns.int64;
    if (f === undefined) c.fail(`${a.dtype} is not supported by this op`);
    const ad = a.data as BigInt64Array, bd = b.data as BigInt64Array;
    if (same) return () => { for (let i = 0; i < n; i++) yd[i] = f(ad[i]!, bd[i]!); };
    const row = (o: number, i0: number, i1: number): void => {
      for (let j = 0; j < inner; j++) yd[o + j] = f(ad[i0 + j * sa]!, bd[i1 + j * sb]!);
    };
    return () => walker.forEachRow(row);
  }
  if (a.dtype === 'int64' || b.dtype === 'int64' || (fns.mixed && a.dtype !== b.dtype)) {
    // Mixed types: read both as numbers, compute in floating point, convert on store.
    const ad = a.data as Cells, bd = b.data as Cells;
    const outType = y.dtype;
    const row = (o: number, i0: number, i1: number): void => {
      for (let j = 0; j < inner; j++) {
        yd[o + j] = toStored(outType, fns.float(Number(ad[i0 + j * sa]), Number(bd[i1 + j * sb])));
      }
    };
    return () => walker.forEachRow(row);
  }
  if (a.dtype === 'float16' && b.dtype === 'float16' && y.dtype === 'float16') {
    const f = fns.float;
    const ad = a.data as Uint16Array, bd = b.data as Uint16Array, out = yd as Uint16Array;
    const half = (x: number, y: number): number => toFloat16Bits(Math.fround(f(fromFloat16Bits(x), fromFloat16Bits(y))));
    if (same) return () => { for (let i = 0; i < n; i++) out[i] = half(ad[i]!, bd[i]!); };
    const row = (o: number, i0: number, i1: number): void => {
      for (let j = 0; j < inner; j++) out[o + j] = half(ad[i0 + j * sa]!, bd[i1 + j * sb]!);
    };
    return () => walker.forEachRow(row);
  }
  const isInt = INT_SMALL.includes(a.dtype);
  const f = isInt ? fns.int : fns.float;
  if (f === undefined) c.fail(`${a.dtype} is not supported by this op`);
  const ad = a.data as Float32Array, bd = b.data as Float32Array;
  const out = yd as Float32Array;
  if (same) return () => { for (let i = 0; i < n; i++) out[i] = f(ad[i]!, bd[i]!); };
  const row = (o: number, i0: number, i1: number): void => {
    for (let j = 0; j < inner; j++) out[o + j] = f(ad[i0 + j * sa]!, bd[i1 + j * sb]!);
  };
  return () => walker.forEachRow(row);
}
