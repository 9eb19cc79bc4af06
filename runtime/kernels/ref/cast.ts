// Reference Cast between the numeric dtypes and bool: float → integer truncates toward zero
// (NaN → 0), to bool is x ≠ 0, integer narrowing wraps as the typed arrays store; float16 is read
// exactly and written rounded to nearest even from the source value (one rounding, as numpy).

import type { DType } from '../../tensor.js';
import { fromFloat16Bits, toFloat16Bits } from '../../float16.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

// ONNX TensorProto.DataType codes for the `to` attribute.
const TO: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64',
  12: 'uint32', 13: 'uint64',
};
const TYPES: readonly DType[] = [
  'float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool',
];
const FLOATS: readonly DType[] = ['float32', 'float64', 'float16'];

export const castRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Cast', target: 'ref', dtypes: TYPES,
  prepare(c) {
    const x = c.input(0, TYPES);
    const to = TO[c.int('to', 0)];
    if (to === undefined) c.fail(`unsupported target type ${c.int('to', 0)}`);
    const y = c.output(0, [to]);
    c.shapeIs(y, x.shape, 'output');
    const n = x.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    const fromFloat = FLOATS.includes(x.dtype);
    const read: (i: number) => unknown = x.dtype === 'float16' ? (i) => fromFloat16Bits(xd[i] as number) : (i) => xd[i];
    // 64-bit targets take bigints (stored modulo 2^64 by the typed array); narrower integers wrap on store.
    const convert: (v: unknown) => unknown =
      to === 'bool' ? (v) => (v ? 1 : 0) // 0, 0n and NaN are false
      : to === 'int64' || to === 'uint64' ? (v) => (typeof v === 'bigint' ? v : BigInt(Number.isFinite(v) ? Math.trunc(v as number) : 0))
      : to === 'float32' || to === 'float64' ? (v) => Number(v)
      : to === 'float16' ? (v) => toFloat16Bits(Number(v))
      : fromFloat ? (v) => (Number.isFinite(v) ? Math.trunc(v as number) : 0)
      : (v) => Number(BigInt.asIntN(32, BigInt(v as number | bigint)));
    return () => { for (let i = 0; i < n; i++) yd[i] = convert(read(i)); };
  },
});
