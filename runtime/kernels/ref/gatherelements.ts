// Reference GatherElements (opset 11+, any data dtype, int32/int64 indices): out[i] = data[i
// with its `axis` coordinate replaced by indices[i]]; negative indices wrap, read and
// bounds-checked on every run.

import { rowMajorStrides } from '../common/broadcast.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const gatherElementsRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'GatherElements', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const idx = c.input(1, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    const rank = x.shape.length;
    if (idx.shape.length !== rank || rank === 0) c.fail(`data [${x.shape.join(',')}] and indices [${idx.shape.join(',')}] must have one rank >= 1`);
    const axis = c.axis(c.int('axis', 0), rank);
    c.shapeIs(y, idx.shape, 'output');
    const xs = rowMajorStrides(x.shape);
    const len = x.shape[axis]!;
    const n = idx.shape.reduce((p, d) => p * d, 1);
    const counter = new Int32Array(rank);
    const xd = x.data as Cells, yd = y.data as Cells;
    return () => {
      counter.fill(0);
      for (let i = 0; i < n; i++) {
        let k = readInt(idx, i);
        if (k < 0) k += len;
        if (k < 0 || k >= len) c.fail(`index ${readInt(idx, i)} at position ${i} out of range [${-len}, ${len})`);
        let src = 0;
        for (let d = 0; d < rank; d++) {
          const at = d === axis ? k : counter[d]!;
          if (at >= x.shape[d]!) c.fail(`indices dim ${d} (${idx.shape[d]}) exceeds data dim ${x.shape[d]}`);
          src += at * xs[d]!;
        }
        yd[i] = xd[src];
        for (let d = rank - 1; d >= 0; d--) {
          if (++counter[d]! < idx.shape[d]!) break;
          counter[d] = 0;
        }
      }
    };
  },
});
