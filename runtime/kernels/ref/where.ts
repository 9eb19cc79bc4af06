// Reference Where (any value dtype): out = cond ? x : y with three-way numpy broadcasting.

import { broadcastShape, broadcastStrides, RowWalker } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const whereRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Where', target: 'ref', dtypes: 'any',
  prepare(c) {
    const cond = c.input(0, ['bool', 'uint8']);
    const x = c.input(1);
    const y = c.input(2);
    c.sameDType(x, y, 'input 2');
    const out = c.output(0, [x.dtype]);
    const shape = broadcastShape([cond.shape, x.shape, y.shape]);
    if (shape === undefined) c.fail('inputs do not broadcast');
    const outShape = shape!;
    c.shapeIs(out, outShape, 'output');
    const walker = new RowWalker(outShape, [cond.shape, x.shape, y.shape].map((s) => broadcastStrides(s, outShape)!));
    const { inner, innerStride0: s0, innerStride1: s1, innerStride2: s2 } = walker;
    const cd = cond.data as Uint8Array, xd = x.data as Cells, yd = y.data as Cells, od = out.data as Cells;
    const row = (o: number, i0: number, i1: number, i2: number): void => {
      for (let j = 0; j < inner; j++) od[o + j] = cd[i0 + j * s0] ? xd[i1 + j * s1] : yd[i2 + j * s2];
    };
    return () => walker.forEachRow(row);
  },
});
