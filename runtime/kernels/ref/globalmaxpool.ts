// Reference GlobalMaxPool: one value per (batch, channel) plane, any spatial rank.

import { defineKernel } from '../common/define.js';
import { planGlobalPool } from '../common/global-pool.js';

export const globalMaxPoolRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'GlobalMaxPool', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const { xd, yd, planes, size } = planGlobalPool(c);
    return () => {
      for (let pl = 0; pl < planes; pl++) {
        let acc = -Infinity;
        for (let i = 0; i < size; i++) acc = Math.max(acc, xd[pl * size + i]!);
        yd[pl] = acc;
      }
    };
  },
});
