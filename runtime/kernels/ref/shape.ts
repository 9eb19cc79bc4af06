// Reference Shape: the input's dims as int64, optionally sliced by start/end (opset 15).

import { defineKernel } from '../common/define.js';

export const shapeRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Shape', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const y = c.output(0, ['int64']);
    const rank = x.shape.length;
    const clampAxis = (a: number): number => Math.min(rank, Math.max(0, a < 0 ? a + rank : a));
    const start = clampAxis(c.int('start', 0));
    const end = clampAxis(c.int('end', rank));
    const dims = x.shape.slice(start, Math.max(start, end)).map((d) => BigInt(d));
    c.shapeIs(y, [dims.length], 'output');
    const yd = y.data as BigInt64Array;
    return () => { for (let i = 0; i < dims.length; i++) yd[i] = dims[i]!; };
  },
});
