// Reference Range (opset 11; float32/64, int16/32/64): start + i·delta for the static output
// length, which must equal max(ceil((limit − start) / delta), 0) for the inputs of each run.

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const rangeRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Range', target: 'ref', dtypes: ['float32', 'float64', 'int16', 'int32', 'int64'],
  prepare(c) {
    const start = c.input(0), limit = c.input(1), delta = c.input(2);
    c.sameDType(start, limit, 'limit'); c.sameDType(start, delta, 'delta');
    for (const [v, what] of [[start, 'start'], [limit, 'limit'], [delta, 'delta']] as const) if (v.data.length < 1) c.fail(`${what} is empty`);
    const y = c.output(0, [start.dtype]);
    if (y.shape.length !== 1) c.fail(`output must be 1-D, got [${y.shape.join(',')}]`);
    const n = y.shape[0]!;
    const yd = y.data as Cells;
    const big = y.data instanceof BigInt64Array;
    return () => {
      const s = Number(start.data[0]), l = Number(limit.data[0]), d = Number(delta.data[0]);
      if (d === 0) c.fail('delta is 0');
      const len = Math.max(Math.ceil((l - s) / d), 0);
      if (len !== n) c.fail(`start ${s}, limit ${l}, delta ${d} give ${len} elements, the output has ${n}`);
      if (big) {
        const s64 = start.data[0] as bigint, d64 = delta.data[0] as bigint;
        for (let i = 0; i < n; i++) yd[i] = s64 + BigInt(i) * d64;
      } else for (let i = 0; i < n; i++) yd[i] = s + i * d;
    };
  },
});
