// Reference Cos (float32, float64).

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const cosRef = unaryKernel('Cos', FLOAT_TYPES, () => ({ float: Math.cos }));
