// Reference Max over one or more inputs of one numeric dtype, numpy broadcasting (NaN propagates).

import { WIDE_TYPES, variadicKernel } from '../common/binary.js';

export const maxRef = variadicKernel('Max', WIDE_TYPES, {
  float: Math.max, int: Math.max, int64: (a, b) => (a > b ? a : b),
});
