// Reference Or (bool, numpy broadcasting): any nonzero byte reads as true, the output is 0/1.

import { binaryKernel } from '../common/binary.js';

const or = (a: number, b: number): number => (a !== 0 || b !== 0 ? 1 : 0);

export const orRef = binaryKernel('Or', ['bool'], { float: or, int: or, outDType: 'bool' });
