// Reference OneHot (numeric indices, depth and any values dtype): output[..., d, ...] at the
// inserted axis is values[1] where d equals the index (negative indices count from depth) and
// values[0] elsewhere; an index outside [−depth, depth) gives a row of values[0]. Depth is the
// output's extent along the axis (static shapes); the depth input is re-read and must agree.

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { NUMERIC_TYPES, reader } from '../common/numeric-cells.js';

export const oneHotRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'OneHot', target: 'ref', dtypes: NUMERIC_TYPES,
  prepare(c) {
    const idx = c.input(0, NUMERIC_TYPES);
    const depthIn = c.input(1, NUMERIC_TYPES);
    const values = c.input(2);
    const y = c.output(0, [values.dtype]);
    if (depthIn.shape.reduce((p, d) => p * d, 1) !== 1) c.fail(`depth has shape [${depthIn.shape.join(',')}], expected one element`);
    if (values.shape.reduce((p, d) => p * d, 1) !== 2) c.fail(`values has shape [${values.shape.join(',')}], expected [off, on]`);
    const outRank = idx.shape.length + 1;
    const axis = c.axis(c.int('axis', -1), outRank);
    const depth = y.shape[axis] ?? 0;
    c.shapeIs(y, [...idx.shape.slice(0, axis), depth, ...idx.shape.slice(axis)], 'output');
    const outer = idx.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = idx.shape.slice(axis).reduce((p, d) => p * d, 1);
    const readIdx = reader(idx), readDepth = reader(depthIn);
    const vd = values.data as Cells, yd = y.data as Cells;
    // Depth is a constant (the output's shape was planned from it): checked now, and again on every run.
    const checkDepth = (): void => {
      if (Math.trunc(readDepth(0)) !== depth) c.fail(`depth ${readDepth(0)} disagrees with the output's extent ${depth} along axis ${axis}`);
    };
    checkDepth();
    return () => {
      checkDepth();
      const off = vd[0], on = vd[1];
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let at = Math.trunc(readIdx(o * inner + i));
          if (at < 0) at += depth;
          for (let t = 0; t < depth; t++) yd[(o * depth + t) * inner + i] = t === at ? on : off;
        }
      }
    };
  },
});
