// Reference Sign for every numeric dtype: -1, 0 or 1 (NaN stays NaN).

import { NUMERIC_TYPES } from '../common/binary.js';
import { unaryKernel } from '../common/unary.js';

export const signRef = unaryKernel('Sign', NUMERIC_TYPES, () => ({
  float: Math.sign,
  int: Math.sign,
  int64: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n),
}));
