// Reference Neg for the float and signed integer dtypes (integers wrap: -(-128) is -128 in int8).

import { unaryKernel } from '../common/unary.js';

export const negRef = unaryKernel('Neg', ['float32', 'float64', 'int64', 'int32', 'int16', 'int8'], () => ({
  float: (x) => -x,
  int: (x) => -x,
  int64: (x) => BigInt.asIntN(64, -x),
}));
