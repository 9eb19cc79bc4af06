// Reference Trilu (any dtype): keeps the upper (upper = 1, the default) or lower triangle of each
// matrix in the last two axes, counted from diagonal k (an optional scalar input, read on every
// run; > 0 above the main diagonal), and zeroes the rest.

import { defineKernel, INT_INDEX_TYPES, readInt } from '../common/define.js';
import type { Cells } from '../common/define.js';

export const triluRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'Trilu', target: 'ref', dtypes: 'any',
  prepare(c) {
    const x = c.input(0);
    const kIn = c.optionalInput(1, INT_INDEX_TYPES);
    const y = c.output(0, [x.dtype]);
    c.shapeIs(y, x.shape, 'output');
    const rank = x.shape.length;
    if (rank < 2) c.fail(`input has rank ${rank}, Trilu needs at least 2`);
    if (kIn !== undefined && kIn.shape.reduce((p, d) => p * d, 1) !== 1) c.fail(`k has shape [${kIn.shape.join(',')}], expected a scalar`);
    const upper = c.int('upper', 1) !== 0;
    const rows = x.shape[rank - 2]!, cols = x.shape[rank - 1]!;
    const mats = x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    const xd = x.data as Cells, yd = y.data as Cells;
    const zero = x.dtype === 'int64' ? 0n : 0;
    return () => {
      const k = kIn === undefined ? 0 : readInt(kIn, 0);
      for (let m = 0, at = 0; m < mats; m++) {
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++, at++) yd[at] = (upper ? j - i >= k : j - i <= k) ? xd[at] : zero;
        }
      }
    };
  },
});
