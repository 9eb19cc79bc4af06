// Reference Min over one or more inputs of one numeric dtype, numpy broadcasting (NaN propagates).

import { WIDE_TYPES, variadicKernel } from '../common/binary.js';

export const minRef = variadicKernel('Min', WIDE_TYPES, {
  float: Math.min, int: Math.min, int64: (a, b) => (a < b ? a : b),
});
