// Reference HardSigmoid (float32): max(0, min(1, alpha * x + beta)), alpha 0.2, beta 0.5.

import { unaryRef } from '../common/unary.js';

export const hardSigmoidRef = unaryRef('HardSigmoid', (c) => {
  const alpha = c.float('alpha', 0.2), beta = c.float('beta', 0.5);
  return (x) => Math.max(0, Math.min(1, alpha * x + beta));
});
