// Reference LessOrEqual for every numeric dtype, numpy broadcasting; bool output (NaN compares false).

import { binaryKernel, NUMERIC_TYPES } from '../common/binary.js';

export const lessOrEqualRef = binaryKernel('LessOrEqual', NUMERIC_TYPES, {
  float: (a, b) => (a <= b ? 1 : 0), int: (a, b) => (a <= b ? 1 : 0), int64: (a, b) => (a <= b ? 1 : 0), outDType: 'bool',
});
