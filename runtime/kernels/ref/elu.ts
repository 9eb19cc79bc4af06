// Reference Elu (float32, float64): x for x >= 0, alpha·(e^x − 1) below; alpha default 1.

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const eluRef = unaryKernel('Elu', FLOAT_TYPES, (c) => {
  const alpha = c.float('alpha', 1);
  return { float: (x) => (x >= 0 ? x : alpha * Math.expm1(x)) };
});
