// Reference Reciprocal (float32, float64): 1/x, ±Infinity at ±0.

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const reciprocalRef = unaryKernel('Reciprocal', FLOAT_TYPES, () => ({ float: (x) => 1 / x }));
