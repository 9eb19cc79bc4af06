// Reference Selu (float32, float64): gamma·x for x > 0, gamma·alpha·(e^x − 1) otherwise, with
// the spec's float32 defaults for alpha and gamma.

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const seluRef = unaryKernel('Selu', FLOAT_TYPES, (c) => {
  const alpha = c.float('alpha', 1.67326319217681884765625);
  const gamma = c.float('gamma', 1.05070102214813232421875);
  return { float: (x) => (x > 0 ? gamma * x : gamma * alpha * Math.expm1(x)) };
});
