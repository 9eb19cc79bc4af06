// Reference Relu (float32).

import { unaryRef } from '../common/unary.js';

export const reluRef = unaryRef('Relu', () => (x) => (x > 0 ? x : 0));
