// Reference And (bool, numpy broadcasting): any nonzero byte reads as true, the output is 0/1.

import { binaryKernel } from '../common/binary.js';

const and = (a: number, b: number): number => (a !== 0 && b !== 0 ? 1 : 0);

export const andRef = binaryKernel('And', ['bool'], { float: and, int: and, outDType: 'bool' });
