// Reference Gather (any data dtype, int64 or int32 indices, negative indices wrap); indices
// are read and bounds-checked on every run.

import { defineKernel, readInt } from '../common/define.js';
import { gatherPlan } from '../common/gather-plan.js';
import type { Cells } from '../common/define.js';

export const gatherRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Gather', target: 'ref', dtypes: 'any',
  prepare(c) {
    const { x, idx, y, outer, inner, len, k } = gatherPlan(c);
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
