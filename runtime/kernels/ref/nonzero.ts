// Reference NonZero (every numeric dtype and bool): the int64 indices [rank, count] of the
// non-zero elements in row-major order. Its output shape depends on the input's values, so spc
// runs it only when the input is a constant (constant folding); requireStaticShapes refuses it otherwise.

import type { DType } from '../../tensor.js';
import { defineKernel } from '../common/define.js';
import { NUMERIC_TYPES, reader } from '../common/numeric-cells.js';

const TYPES: readonly DType[] = [...NUMERIC_TYPES, 'bool'];

export const nonZeroRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'NonZero', target: 'ref', dtypes: TYPES,
  prepare(c) {
    const x = c.input(0, TYPES);
    const y = c.output(0, ['int64']);
    const rank = Math.max(x.shape.length, 1); // a scalar reads as shape [1]
    const dims = x.shape.length === 0 ? [1] : x.shape;
    const n = dims.reduce((p, d) => p * d, 1);
    if (y.shape.length !== 2 || y.shape[0] !== rank) c.fail(`output has shape [${y.shape.join(',')}], expected [${rank}, count]`);
    const count = y.shape[1]!;
    const read = reader(x);
    const yd = y.data as BigInt64Array;
    const index = new Int32Array(rank);
    return () => {
      let found = 0;
      index.fill(0);
      for (let i = 0; i < n; i++) {
        if (read(i) !== 0) {
          if (found >= count) c.fail(`more than ${count} non-zero elements: the output shape was planned for other values`);
          for (let d = 0; d < rank; d++) yd[d * count + found] = BigInt(index[d]!);
          found++;
        }
        for (let d = rank - 1; d >= 0 && ++index[d]! >= dims[d]!; d--) index[d] = 0;
      }
      if (found !== count) c.fail(`${found} non-zero elements, the output shape was planned for ${count}`);
    };
  },
});
