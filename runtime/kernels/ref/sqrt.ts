// Reference Sqrt (float32).

import { unaryRef } from '../common/unary.js';

export const sqrtRef = unaryRef('Sqrt', () => Math.sqrt);
