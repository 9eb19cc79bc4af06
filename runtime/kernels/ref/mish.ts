// Reference Mish (float32, float64): x·tanh(softplus(x)).

import { FLOAT_TYPES } from '../common/define.js';
import { softplus, unaryKernel } from '../common/unary.js';

export const mishRef = unaryKernel('Mish', FLOAT_TYPES, () => ({ float: (x) => x * Math.tanh(softplus(x)) }));
