// Reference Not (bool): any nonzero byte reads as true, the output is 0/1.

import { unaryKernel } from '../common/unary.js';

export const notRef = unaryKernel('Not', ['bool'], () => ({ int: (x) => (x ? 0 : 1) }), 'bool');
