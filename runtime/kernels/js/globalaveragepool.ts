// js GlobalAveragePool: each (batch, channel) plane is contiguous in NCHW; four partial sums
// per plane break the dependency chain of a single accumulator.

import { defineKernel } from '../common/define.js';
import { planGlobalPool } from '../common/global-pool.js';

export const globalAveragePoolJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'GlobalAveragePool', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const { xd, yd, planes, size } = planGlobalPool(c);
    return () => {
      for (let pl = 0; pl < planes; pl++) {
        const base = pl * size;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
        for (; i + 4 <= size; i += 4) {
          s0 += xd[base + i]!; s1 += xd[base + i + 1]!; s2 += xd[base + i + 2]!; s3 += xd[base + i + 3]!;
        }
        for (; i < size; i++) s0 += xd[base + i]!;
        yd[pl] = (s0 + s1 + s2 + s3) / size;
      }
    };
  },
});
