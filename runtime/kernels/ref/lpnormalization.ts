// Reference LpNormalization (opset 1+, float32/64, p 1 or 2): x divided by its Lp norm along
// `axis`; a zero norm gives zeros (as onnxruntime), not NaN.

import { defineKernel, FLOAT_TYPES } from '../common/define.js';

export const lpNormalizationRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'LpNormalization', target: 'ref', dtypes: FLOAT_TYPES,
  prepare(c) {
    const x = c.input(0, FLOAT_TYPES);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    const rank = Math.max(x.shape.length, 1);
    const axis = c.axis(c.int('axis', -1), rank);
    const p = c.int('p', 2);
    if (p !== 1 && p !== 2) c.fail(`p ${p} must be 1 or 2`);
    const len = x.shape[axis] ?? 1;
    const inner = x.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
    const outer = x.shape.slice(0, axis).reduce((a, d) => a * d, 1);
    const xd = x.data as Float32Array | Float64Array, yd = y.data as Float32Array | Float64Array;
    return () => {
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * len * inner + i;
          let norm = 0;
          for (let k = 0; k < len; k++) { const v = xd[base + k * inner]!; norm += p === 1 ? Math.abs(v) : v * v; }
          if (p === 2) norm = Math.sqrt(norm);
          for (let k = 0; k < len; k++) yd[base + k * inner] = norm === 0 ? 0 : xd[base + k * inner]! / norm;
        }
      }
    };
  },
});
