// Reference Floor (float32, float64).

import { FLOAT_TYPES } from '../common/define.js';
import { unaryKernel } from '../common/unary.js';

export const floorRef = unaryKernel('Floor', FLOAT_TYPES, () => ({ float: Math.floor }));
