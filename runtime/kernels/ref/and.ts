// Reference And (bool, numpy broadcasting; 0/1 bytes).

import { binaryKernel } from '../common/binary.js';

export const andRef = binaryKernel('And', ['bool'], { float: (a, b) => a & b, int: (a, b) => a & b, outDType: 'bool' });
