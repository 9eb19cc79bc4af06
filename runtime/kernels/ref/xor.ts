// Reference Xor (bool, numpy broadcasting): any nonzero byte reads as true, the output is 0/1.

import { binaryKernel } from '../common/binary.js';

const xor = (a: number, b: number): number => ((a !== 0) !== (b !== 0) ? 1 : 0);

export const xorRef = binaryKernel('Xor', ['bool'], { float: xor, int: xor, outDType: 'bool' });
