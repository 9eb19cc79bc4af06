// Reference Sin (float32, float64).

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const sinRef = unaryKernel('Sin', FLOAT_TYPES, () => ({ float: Math.sin }));
