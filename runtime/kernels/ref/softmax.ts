// Reference Softmax with opset-13 semantics: normalised along one axis (default -1), the
// maximum subtracted first for stability.

import { defineKernel } from '../common/define.js';

export const softmaxRef = defineKernel({
  dtype: 'f32', tile: '1x1', op: 'Softmax', target: 'ref', dtypes: ['float32'],
  prepare(c) {
    const x = c.input(0, ['float32']);
    const y = c.output(0, ['float32']);
    c.shapeIs(y, x.shape, 'output');
    const rank = x.shape.length;
    const axis = c.axis(c.int('axis', -1), Math.max(rank, 1));
    const len = rank === 0 ? 1 : x.shape[axis]!;
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
    const xd = x.data as Float32Array, yd = y.data as Float32Array;
    return () => {
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * len * inner + i;
          let max = -Infinity;
          for (let k = 0; k < len; k++) max = Math.max(max, xd[base + k * inner]!);
          let sum = 0;
          for (let k = 0; k < len; k++) sum += Math.exp(xd[base + k * inner]! - max);
          for (let k = 0; k < len; k++) yd[base + k * inner] = Math.exp(xd[base + k * inner]! - max) / sum;
        }
      }
    };
  },
});
