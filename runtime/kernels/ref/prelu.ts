// Reference PRelu: x where x >= 0, slope·x below; the slope broadcasts to x's shape (opset 7+
// unidirectional broadcasting). float32/float64 and the signed integers of opset 16.

import { binaryKernel } from '../common/binary.js';

export const preluRef = binaryKernel('PRelu', ['float32', 'float64', 'int64', 'int32'], {
  float: (x, s) => (x < 0 ? s * x : x),
  int: (x, s) => (x < 0 ? s * x : x),
  int64: (x, s) => (x < 0n ? BigInt.asIntN(64, s * x) : x),
  unidirectional: true,
});
