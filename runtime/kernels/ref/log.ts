// Reference Log (float32, float64): natural logarithm, -Infinity at 0, NaN below.

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const logRef = unaryKernel('Log', FLOAT_TYPES, () => ({ float: Math.log }));
