// Reference Sigmoid (float32), written to avoid exp overflow for large |x|.

import { unaryRef } from '../common/unary.js';

export const sigmoidRef = unaryRef('Sigmoid', () => (x) => {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
});
