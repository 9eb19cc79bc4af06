// js Relu (float32): the ref kernel's loop with the max inlined (no call per element).

import { defineKernel } from '../common/define.js';

export const reluJs = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Relu', target: 'js', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    c.shapeIs(y, x.shape, 'output');
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    const n = yd.length;
    return () => { for (let i = 0; i < n; i++) { const v = xd[i]!; yd[i] = v > 0 ? v : 0; } };
  },
});
