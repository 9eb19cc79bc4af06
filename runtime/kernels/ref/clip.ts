// Reference Clip: bounds from optional inputs 1 and 2 (opset 11+) or attributes min/max
// (opset 6); any numeric dtype, int64 compared as bigint. Bounds are read on every run.

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { NUMERIC_TYPES } from '../common/binary.js';

export const clipRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Clip', target: 'ref', dtypes: NUMERIC_TYPES,
  prepare(c) {
    const x = c.input(0, NUMERIC_TYPES);
    const lo = c.optionalInput(1);
    const hi = c.optionalInput(2);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    for (const b of [lo, hi]) {
      if (b === undefined) continue;
      c.sameDType(x, b, 'bound');
      if (b.shape.reduce((p, d) => p * d, 1) !== 1) c.fail('min and max must be scalars');
    }
    const n = x.shape.reduce((p, d) => p * d, 1);
    if (x.dtype === 'int64') {
      const xd = x.data as BigInt64Array, yd = y.data as BigInt64Array;
      return () => {
        const l = lo === undefined ? undefined : (lo.data as BigInt64Array)[0]!;
        const h = hi === undefined ? undefined : (hi.data as BigInt64Array)[0]!;
        for (let i = 0; i < n; i++) {
          let v = xd[i]!;
          if (l !== undefined && v < l) v = l;
          if (h !== undefined && v > h) v = h;
          yd[i] = v;
        }
      };
    }
    const attrLo = c.float('min', -Infinity), attrHi = c.float('max', Infinity);
    const xd = x.data as Float32Array, yd = y.data as Cells as Float32Array;
    return () => {
      const l = lo === undefined ? attrLo : (lo.data as Float32Array)[0]!;
      const h = hi === undefined ? attrHi : (hi.data as Float32Array)[0]!;
      for (let i = 0; i < n; i++) {
        const v = xd[i]!;
        yd[i] = v < l ? l : v > h ? h : v;
      }
    };
  },
});
