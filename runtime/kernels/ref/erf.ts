// Reference Erf (float32).

import { erf, unaryRef } from '../common/unary.js';

export const erfRef = unaryRef('Erf', () => erf);
