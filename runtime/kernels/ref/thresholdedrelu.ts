// Reference ThresholdedRelu (float32, float64): x where x > alpha, else 0; alpha default 1.

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const thresholdedReluRef = unaryKernel('ThresholdedRelu', FLOAT_TYPES, (c) => {
  const alpha = c.float('alpha', 1);
  return { float: (x) => (x > alpha ? x : 0) };
});
