// Reference Expand (any dtype): broadcast the input to the static output shape (the shape
// input is not re-read; the output shape given must be a valid broadcast of the input).

import { broadcastStrides, RowWalker } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const expandRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Expand', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const y = c.output(0, [x.dtype]);
    const strides = broadcastStrides(x.shape, y.shape);
    if (strides === undefined) c.fail(`input [${x.shape.join(',')}] does not broadcast to output [${y.shape.join(',')}]`);
    const walker = new RowWalker(y.shape, [strides!]);
    const { inner, innerStride0: s0 } = walker;
    const xd = x.data as Cells, yd = y.data as Cells;
    const row = (o: number, i0: number): void => { for (let j = 0; j < inner; j++) yd[o + j] = xd[i0 + j * s0]; };
    return () => walker.forEachRow(row);
  },
});
