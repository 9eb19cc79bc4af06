// Reference Sum over one or more float inputs, numpy broadcasting (summed left to right in the
// inputs' precision).

import { FLOAT_TYPES } from '../common/define.js';
import { variadicKernel } from '../common/binary.js';

export const sumRef = variadicKernel('Sum', FLOAT_TYPES, { float: (a, b) => a + b });
