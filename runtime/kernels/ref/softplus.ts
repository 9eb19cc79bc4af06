// Reference Softplus (float32, float64): ln(1 + e^x).

import { FLOAT_TYPES } from '../common/define.js';
import { softplus, unaryKernel } from '../common/unary.js';

export const softplusRef = unaryKernel('Softplus', FLOAT_TYPES, () => ({ float: softplus }));
