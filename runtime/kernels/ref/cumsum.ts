// Reference CumSum (float32, float64, int32, int64): running sums along the axis given as a
// scalar input (read on every run), exclusive (each sum leaves out its own element) and / or
// reverse (from the end). Sums in doubles.

import type { DType } from '../../tensor.js';
import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import { reader, writer } from '../common/numeric-cells.js';

const TYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64'];

export const cumSumRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'CumSum', target: 'ref', dtypes: TYPES,
  prepare(c) {
    const x = c.input(0, TYPES);
    const axisIn = c.input(1, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    if (axisIn.shape.reduce((p, d) => p * d, 1) !== 1) c.fail(`axis input has shape [${axisIn.shape.join(',')}], expected a scalar`);
    const exclusive = c.int('exclusive', 0) !== 0;
    const reverse = c.int('reverse', 0) !== 0;
    const rank = x.shape.length;
    const read = reader(x), write = writer(y);
    return () => {
      const axis = c.axis(readInt(axisIn, 0), rank);
      const len = x.shape[axis]!;
      const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
      const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let s = 0;
          for (let t = 0; t < len; t++) {
            const at = o * len * inner + (reverse ? len - 1 - t : t) * inner + i;
            const v = read(at);
            if (!exclusive) s += v;
            write(at, s);
            if (exclusive) s += v;
          }
        }
      }
    };
  },
});
