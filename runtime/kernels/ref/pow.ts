// Reference Pow with numpy broadcasting; the exponent may have another numeric dtype than
// the base (opset 12+), the result has the base's dtype.

import { binaryKernel, NUMERIC_TYPES } from '../common/binary.js';

export const powRef = binaryKernel('Pow', NUMERIC_TYPES, {
  float: (a, b) => Math.pow(a, b),
  int: (a, b) => Math.trunc(Math.pow(a, b)),
  int64: (a, b) => (b < 0n ? BigInt(Math.trunc(Math.pow(Number(a), Number(b)))) : BigInt.asIntN(64, a ** b)),
  mixed: true,
});
