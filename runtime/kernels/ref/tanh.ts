// Reference Tanh (float32).

import { unaryRef } from '../common/unary.js';

export const tanhRef = unaryRef('Tanh', () => Math.tanh);
