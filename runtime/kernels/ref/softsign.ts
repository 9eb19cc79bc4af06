// Reference Softsign (float32, float64): x / (1 + |x|).

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const softsignRef = unaryKernel('Softsign', FLOAT_TYPES, () => ({ float: (x) => x / (1 + Math.abs(x)) }));
