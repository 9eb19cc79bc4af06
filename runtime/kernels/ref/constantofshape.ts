// Reference ConstantOfShape (opset 9+, any dtype): fills the static output with the `value`
// attribute's one element (0 when absent); the shape input is not re-read (the output view has it).

import { defineKernel } from '../common/define.js';
import type { Cells } from '../common/define.js';
import { storedScalar } from '../common/numeric-cells.js';

export const constantOfShapeRef = defineKernel({
  dtype: 'any', tile: '1x1', op: 'ConstantOfShape', target: 'ref', dtypes: 'any',
  prepare(c) {
    c.input(0, ['int64']);
    const y = c.output(0);
    const value = c.float('value', 0);
    const fill = storedScalar(y.dtype, value);
    const yd = y.data as Cells;
    const n = y.shape.reduce((p, d) => p * d, 1);
    return () => { for (let i = 0; i < n; i++) yd[i] = fill; };
  },
});
