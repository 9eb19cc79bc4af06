// Reference LeakyRelu (float32), alpha default 0.01.

import { unaryRef } from '../common/unary.js';

export const leakyReluRef = unaryRef('LeakyRelu', (c) => {
  const alpha = c.float('alpha', 0.01);
  return (x) => (x >= 0 ? x : alpha * x);
});
