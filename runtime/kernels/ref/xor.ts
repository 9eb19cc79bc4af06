// Reference Xor (bool, numpy broadcasting; 0/1 bytes).

import { binaryKernel } from '../common/binary.js';

export const xorRef = binaryKernel('Xor', ['bool'], { float: (a, b) => a ^ b, int: (a, b) => a ^ b, outDType: 'bool' });
