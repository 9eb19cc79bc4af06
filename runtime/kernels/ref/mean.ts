// Reference Mean over one or more float inputs, numpy broadcasting: their Sum divided by the
// number of inputs.

import { FLOAT_TYPES } from '../common/define.js';
import { variadicKernel } from '../common/binary.js';

export const meanRef = variadicKernel('Mean', FLOAT_TYPES, { float: (a, b) => a + b }, (sum, count) => sum / count);
