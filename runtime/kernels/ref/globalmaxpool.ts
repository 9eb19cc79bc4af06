// Reference GlobalMaxPool: one value per (batch, channel) plane, any spatial rank.

import { defineKernel } from '../common/define.js';

export const globalMaxPoolRef = defineKernel({
  id: 'f32-globalmaxpool-1x1-ref', op: 'GlobalMaxPool', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    if (x.shape.length < 3) c.fail(`input rank ${x.shape.length} < 3`);
    c.shapeIs(y, x.shape.map((d, i) => (i < 2 ? d : 1)), 'output');
    const planes = x.shape[0]! * x.shape[1]!;
    const size = x.shape.slice(2).reduce((p, d) => p * d, 1);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    return () => {
      for (let pl = 0; pl < planes; pl++) {
        let acc = -Infinity;
        for (let i = 0; i < size; i++) acc = Math.max(acc, xd[pl * size + i]!);
        yd[pl] = acc;
      }
    };
  },
});
