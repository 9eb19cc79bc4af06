// Reference Exp (float32).

import { unaryRef } from '../common/unary.js';

export const expRef = unaryRef('Exp', () => Math.exp);
