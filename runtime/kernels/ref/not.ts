// Reference Not (bool, stored as 0/1 bytes).

import { unaryKernel } from '../common/unary.js';

export const notRef = unaryKernel('Not', ['bool'], () => ({ int: (x) => (x ? 0 : 1) }), 'bool');
