// Reference Abs for every numeric dtype (integers wrap as C does: |int8 -128| stays -128).

import { NUMERIC_TYPES } from '../common/binary.js';
import { unaryKernel } from '../common/unary.js';

export const absRef = unaryKernel('Abs', NUMERIC_TYPES, () => ({
  float: Math.abs,
  int: Math.abs,
  int64: (x) => (x < 0n ? BigInt.asIntN(64, -x) : x),
}));
