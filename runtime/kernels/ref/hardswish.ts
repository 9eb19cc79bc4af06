// Reference HardSwish (float32): x * max(0, min(1, x / 6 + 0.5)).

import { unaryRef } from '../common/unary.js';

export const hardSwishRef = unaryRef('HardSwish', () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)));
