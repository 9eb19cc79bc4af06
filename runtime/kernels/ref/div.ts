// Reference Div with numpy broadcasting; integer division truncates toward zero as
// onnxruntime does (division by zero yields 0 rather than trapping).

import { binaryKernel, WIDE_TYPES } from '../common/binary.js';

export const divRef = binaryKernel('Div', WIDE_TYPES, {
  float: (a, b) => a / b,
  int: (a, b) => (b === 0 ? 0 : Math.trunc(a / b)),
  int64: (a, b) => (b === 0n ? 0n : BigInt.asIntN(64, a / b)),
});
