// Reference Equal with numpy broadcasting; bool output stored as 0/1 bytes.

import { binaryKernel } from '../common/binary.js';

export const equalRef = binaryKernel('Equal', ['float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'bool'], {
  float: (a, b) => (a === b ? 1 : 0),
  int: (a, b) => (a === b ? 1 : 0),
  int64: (a, b) => (a === b ? 1 : 0),
  outDType: 'bool',
});
