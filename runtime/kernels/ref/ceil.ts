// Reference Ceil (float32, float64).

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const ceilRef = unaryKernel('Ceil', FLOAT_TYPES, () => ({ float: Math.ceil }));
