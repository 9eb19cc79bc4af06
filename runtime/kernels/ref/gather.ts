// Reference Gather (any data dtype, int64 or int32 indices, negative indices wrap); indices
// are read and bounds-checked on every run.

import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const gatherRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Gather', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const idx = c.input(1, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', 0), rank);
    c.shapeIs(y, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], 'output');
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const len = x.shape[axis]!;
    const k = idx.shape.reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      for (let j = 0; j < k; j++) {
        let i = readInt(idx, j);
        if (i < 0) i += len;
        if (i < 0 || i >= len) c.fail(`index ${readInt(idx, j)} at position ${j} out of range [${-len}, ${len})`);
        for (let o = 0; o < outer; o++) {
          const src = (o * len + i) * inner, dst = (o * k + j) * inner;
          for (let t = 0; t < inner; t++) yd[dst + t] = xd[src + t];
        }
      }
    };
  },
});
