// Reference Add with numpy broadcasting for float32/float64 and integer (wrapping) types.

import { binaryKernel, WIDE_TYPES } from '../common/binary.js';

export const addRef = binaryKernel('Add', WIDE_TYPES, {
  float: (a, b) => a + b,
  int: (a, b) => a + b,
  int64: (a, b) => BigInt.asIntN(64, a + b),
});
