// Reference Tile (opset 6+, any dtype): output[i] = input[i mod input dims]; the repeats input
// is not re-read: each output dim must be a whole multiple of the input's.

import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const tileRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Tile', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    c.input(1, ['int64']);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    if (y.shape.length !== rank) c.fail(`output rank ${y.shape.length} differs from input rank ${rank}`);
    x.shape.forEach((d, i) => {
      const o = y.shape[i]!;
      if (d === 0 ? o !== 0 : o % d !== 0) c.fail(`output dim ${i} (${o}) is not a multiple of input dim ${d}`);
    });
    const inStrides = rowMajorStrides(x.shape);
    const n = y.shape.reduce((p, d) => p * d, 1);
    const counter = new Int32Array(rank);
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      counter.fill(0);
      for (let i = 0; i < n; i++) {
        let src = 0;
        for (let d = 0; d < rank; d++) src += (counter[d]! % x.shape[d]!) * inStrides[d]!;
        yd[i] = xd[src];
        for (let d = rank - 1; d >= 0; d--) {
          if (++counter[d]! < y.shape[d]!) break;
          counter[d] = 0;
        }
      }
    };
  },
});
