// Reference Gelu (opset 20, float32): exact (erf) or approximate = 'tanh'.

import { erf, unaryRef } from '../common/unary.js';

export const geluRef = unaryRef('Gelu', (c) => {
  const approximate = c.string('approximate', 'none');
  if (approximate === 'tanh') {
    const k = Math.sqrt(2 / Math.PI);
    return (x) => 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x * x * x)));
  }
  if (approximate !== 'none') c.fail(`unknown approximate '${approximate}'`);
  return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
});
